from __future__ import annotations

import pytest

from core.identity.roles import OrganisationKind, Role
from tests.people import People
from tests.web.browser.conftest import ServedPortal
from tests.web.browser.pages import Visit, sign_in, sign_in_with_keyboard

pytestmark = pytest.mark.browser


async def test_a_provider_signs_in_enrolling_an_authenticator(
    chromium, served_portal: ServedPortal, served_people: People
) -> None:
    provider = await served_people.organisation(OrganisationKind.PROVIDER, "Elm Care")
    person = await served_people.account(provider, Role.PROVIDER_ADMIN, Role.PROVIDER_USER)
    context = await chromium.new_context()
    visit = Visit(await context.new_page(), served_portal.url)
    await visit.go("/")
    await sign_in(visit, person)
    assert "Elm Care" in await visit.text()


async def test_sign_in_with_the_keyboard_only(
    chromium, served_portal: ServedPortal, served_people: People
) -> None:
    provider = await served_people.organisation(OrganisationKind.PROVIDER, "Ash Care")
    person = await served_people.account(provider, Role.PROVIDER_ADMIN, Role.PROVIDER_USER)
    context = await chromium.new_context()
    visit = Visit(await context.new_page(), served_portal.url)
    await sign_in_with_keyboard(visit, person)


async def test_the_accessibility_check_sees_a_violation(
    chromium, served_portal: ServedPortal
) -> None:
    # given a page with an image that has no text alternative
    from tests.web.browser.pages import axe_violations

    context = await chromium.new_context()
    page = await context.new_page()
    await page.set_content('<html lang="en"><title>t</title><main><img src="x.png"></main></html>')
    # when axe-core checks it, then it names the violation
    assert "image-alt" in [v["id"] for v in await axe_violations(page)]

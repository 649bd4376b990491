"""A provider's whole journey in Chromium (issue 14's 'done when'): accept an invitation, sign
in with TOTP enrolment, register (a spreadsheet with errors shown by cell, then fixed), upload
documents, receive a referral live, open it, message the LA, make an offer with the
category's details, edit it, see it accepted, decline another referral with a reason.
axe-core checks every page visited."""

from __future__ import annotations

import pytest
from playwright.async_api import expect

from tests.graphql_client import GraphQLClient
from tests.people import People
from tests.web.browser import journey
from tests.web.browser.conftest import ServedPortal
from tests.web.browser.pages import Visit, accept_invitation, sign_in, sign_in_with_keyboard

pytestmark = pytest.mark.browser


async def test_a_provider_does_everything_in_the_browser(
    chromium, served_portal: ServedPortal, served_people: People, api: GraphQLClient
) -> None:
    w = await journey.world(served_people, api)
    context = await chromium.new_context()
    visit = Visit(await context.new_page(), served_portal.url)

    await accept_invitation(visit, await journey.invitation_link(served_people, w.person.email))
    await sign_in_with_keyboard(visit, w.person)
    wrong, right = await journey.spreadsheets(served_portal.url, w)
    await journey.register(visit, w, wrong, right)
    await journey.approve(api, w)
    await journey.upload_documents(visit)

    # a referral arrives while the person looks at the list: the count changes, no reload
    await visit.go("/referrals")
    await expect(visit.page.locator("body[data-live=connected]")).to_have_count(1)
    count = visit.page.locator("#unread-count")
    before = int(await count.inner_text())
    referral = await journey.send_referral(api, w)
    await expect(count).to_have_text(str(before + 1), timeout=15_000)
    await expect(visit.page.locator("#live-notifications")).to_contain_text("New notification")
    await visit.check()

    await journey.open_referral(visit, referral)
    await journey.message_the_la(visit, w)
    offer = await journey.make_offer(visit, keyboard=True)
    await journey.edit_offer(visit)
    await journey.accepted(visit, api, w, offer)

    other = await journey.send_referral(api, w)
    await journey.opened_by_a_colleague(visit, api, w, other)
    await journey.decline(visit, other)
    assert len(visit.checked) > 15


async def test_the_same_journey_without_javascript(
    chromium, served_portal: ServedPortal, served_people: People, api: GraphQLClient
) -> None:
    w = await journey.world(served_people, api)
    context = await chromium.new_context(java_script_enabled=False)
    checker = await (await chromium.new_context()).new_page()
    visit = Visit(await context.new_page(), served_portal.url, checker=checker)

    await accept_invitation(visit, await journey.invitation_link(served_people, w.person.email))
    await sign_in(visit, w.person)
    wrong, right = await journey.spreadsheets(served_portal.url, w)
    await journey.register(visit, w, wrong, right)
    await journey.approve(api, w)
    await journey.upload_documents(visit)

    # without JavaScript the count is right on each load
    await visit.go("/referrals")
    before = int(await visit.page.locator("#unread-count").inner_text())
    referral = await journey.send_referral(api, w)
    await visit.go("/referrals")
    await expect(visit.page.locator("#unread-count")).to_have_text(str(before + 1))

    await journey.open_referral(visit, referral)
    await journey.message_the_la(visit, w)
    offer = await journey.make_offer(visit, keyboard=False)
    await journey.edit_offer(visit)
    await journey.accepted(visit, api, w, offer)

    other = await journey.send_referral(api, w)
    await journey.opened_by_a_colleague(visit, api, w, other)
    await journey.decline(visit, other)

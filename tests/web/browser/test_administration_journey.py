"""Administrators in Chromium, with and without JavaScript: a platform admin creates an LA
and enables a category for it; the LA's admin approves a provider's registration; a
category lead changes a setting; then the LA's caseworker creates a referral in that
category and the send reaches the provider the new setting selects. axe-core checks every
page visited."""

from __future__ import annotations

import uuid

import pytest
from playwright.async_api import expect

from core.identity.roles import OrganisationKind, Role
from schema.node import decode_any_id
from tests.people import People
from tests.referrals.homes import HomeSpec, provider_with_homes
from tests.web.browser.conftest import ServedPortal
from tests.web.browser.la_pages import banner, tab
from tests.web.browser.pages import sign_in

pytestmark = pytest.mark.browser

SETTINGS = """
mutation ($settings: JSON!) {
  updateCategorySettings(input: {category: FAMILY_ASSESSMENT, settings: $settings}) {
    userErrors { field message code }
  }
}"""
LAS = "{ organisations(kind: LOCAL_AUTHORITY) { id name } }"


@pytest.mark.parametrize("javascript", [True, False], ids=["javascript", "no-javascript"])
async def test_administrators_set_up_an_la_a_provider_and_a_category(
    chromium, served_portal: ServedPortal, served_people: People, javascript: bool
) -> None:
    people, api = served_people, served_people.client
    run = uuid.uuid4().hex[:4].upper()
    platform = await people.organisation(OrganisationKind.PLATFORM)
    platform_admin = await people.account(platform, Role.PLATFORM_ADMIN)
    lead = await people.signed_in(platform, Role.CATEGORY_LEAD)
    try:
        # when the platform admin creates an LA and enables family assessment for it
        admin_tab = await tab(chromium, served_portal.url, javascript)
        await sign_in(admin_tab, platform_admin)
        await admin_tab.go("/admin/local-authorities")
        await admin_tab.fill("Name", f"Sandwell {run}")
        await admin_tab.fill("Short code", "".join(chr(65 + int(c, 16) % 26) for c in run))
        await admin_tab.click("Create local authority")
        assert f"Sandwell {run} created" in await banner(admin_tab)
        await admin_tab.click(f"Choose categories of Sandwell {run}", role="link")
        await admin_tab.choose("Residential Family Assessment")
        await admin_tab.click("Save categories")
        assert "may now send referrals in the categories chosen" in await banner(admin_tab)
        operator = await people.platform_admin()  # another admin, reading through the API
        la_key = next(
            decode_any_id(a["id"])[1]
            for a in (await api.data(LAS, token=operator.token))["organisations"]
            if a["name"] == f"Sandwell {run}"
        )
        # and a provider with a one-bed family assessment home asks that LA to approve it
        provider = await provider_with_homes(
            people,
            HomeSpec(category="FAMILY_ASSESSMENT", beds=1, name=f"Alder House {run}"),
            name=f"Alder {run}",
            status="PENDING_APPROVAL",
            managing_la=la_key,
        )
        # when the LA's admin approves the registration from their home page
        la_admin = await people.account(la_key, Role.LA_ADMIN)
        la_tab = await tab(chromium, served_portal.url, javascript)
        await sign_in(la_tab, la_admin)
        await la_tab.click(f"Alder {run}", role="link")
        await expect(la_tab.page.locator("#homes")).to_contain_text(f"Alder House {run}")
        await la_tab.click("Approve registration")
        assert "Registration approved" in await banner(la_tab)
        # and the category lead stops counting parents as occupants
        lead_tab = await tab(chromium, served_portal.url, javascript)
        await sign_in(lead_tab, lead)
        await lead_tab.click("Settings of each category", role="link")
        await lead_tab.click("Residential Family Assessment settings", role="link")
        assert "A home needs a bed for each parent as well as each child." in await lead_tab.text()
        await lead_tab.choose("No")
        await lead_tab.click("Save settings")
        assert "settings saved" in await banner(lead_tab)
        # then the LA's caseworker creates a referral in the category and sends it
        caseworker = await people.account(la_key, Role.LA_CASEWORKER)
        case_tab = await tab(chromium, served_portal.url, javascript)
        await sign_in(case_tab, caseworker)
        await case_tab.go("/referrals/new")
        page = case_tab.page
        await page.locator("#children-0-age").fill("10")
        await page.locator("#children-0-gender").check()
        await case_tab.choose("In more than 5 days")
        await case_tab.fill("Summary", "A mother and her son, for a 12-week assessment.")
        await page.locator("#details-parents-0-role").check()  # Mother
        await case_tab.click("Continue")
        await case_tab.click("Send referral")
        # and it reaches the one-bed home: the parent no longer needs a bed of her own
        assert "Referral sent:" in await banner(case_tab)
        await expect(page.locator("#deliveries")).to_contain_text(f"Alder {run}")
        assert provider.home_ids
    finally:
        reset = await api.data(
            SETTINGS, {"settings": {"countParentsAsOccupants": True}}, token=lead.token
        )
        assert reset["updateCategorySettings"]["userErrors"] == []

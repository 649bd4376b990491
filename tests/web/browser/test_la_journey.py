"""The LA's journey in Chromium, with and without JavaScript: a caseworker creates a
sibling-group referral with details and a referral form (keyboard only), sends it, reads a
provider's message and answers it, compares two offers and accepts one; generates the
agreement, fills and enables it; the provider's signatory and the LA (through a colleague
its signatory authorised) sign it. axe-core checks every page visited."""

from __future__ import annotations

import re
import uuid
from pathlib import Path

import pytest
from playwright.async_api import expect

from core.identity.roles import Role
from tests.messages.operations import SEND as SEND_MESSAGE
from tests.offers.helpers import SUBMIT, offer_input, ready_provider
from tests.people import People
from tests.referrals.homes import HomeSpec
from tests.registration.helpers import PDF
from tests.web.browser.conftest import ServedPortal
from tests.web.browser.la_pages import (
    banner,
    create_sibling_referral,
    create_sibling_referral_with_keyboard,
    tab,
)
from tests.web.browser.pages import sign_in

pytestmark = pytest.mark.browser


@pytest.mark.parametrize("javascript", [True, False], ids=["javascript", "no-javascript"])
async def test_the_las_journey_from_referral_to_signed_agreement(
    chromium, served_portal: ServedPortal, served_people: People, tmp_path: Path, javascript: bool
) -> None:
    people, api = served_people, served_people.client
    run = uuid.uuid4().hex[:4].upper()
    # given an LA that sends residential referrals, its caseworker and signatory
    la = await people.local_authority(
        f"Wolverhampton {run}", f"W{run}", ("RESIDENTIAL", "SUPPORTED_ACCOMMODATION")
    )
    caseworker = await people.account(la, Role.LA_CASEWORKER)
    la_signatory = await people.account(la, Role.LA_SIGNATORY)
    # and two providers with a matching home each
    birch = await ready_provider(people, HomeSpec(name=f"Birch House {run}"), name=f"Birch {run}")
    cedar = await ready_provider(people, HomeSpec(name=f"Cedar House {run}"), name=f"Cedar {run}")
    provider_signatory = await people.account(birch.organisation_id, Role.PROVIDER_SIGNATORY)
    form = tmp_path / "Local referral form.pdf"
    form.write_bytes(PDF)

    visit = await tab(chromium, served_portal.url, javascript)
    await sign_in(visit, caseworker)

    # when the caseworker creates the referral and sends it (keyboard only, with JavaScript)
    if javascript:
        await create_sibling_referral_with_keyboard(visit, str(form))
    else:
        await create_sibling_referral(visit, str(form))
    # then the page says how many providers received it, and who
    sent = await banner(visit)
    count = int(re.search(r"Referral sent: (\d+) provider", sent).group(1))
    assert count >= 2
    deliveries = visit.page.locator("#deliveries tbody tr")
    await expect(deliveries).to_have_count(count)
    text = await visit.text()
    assert f"Birch {run}" in text and f"Cedar {run}" in text
    assert "2 children: 12, female; 14, female" in text and "Local referral form.pdf" in text
    referral = visit.page.url.rsplit("/", 1)[1]

    # when Birch writes, the caseworker reads it and answers
    written = await api.data(
        SEND_MESSAGE,
        {"input": {"referralId": referral, "body": "Is a school place arranged?"}},
        token=birch.admin.token,
    )
    assert written["sendMessage"]["userErrors"] == []
    await visit.click(f"Messages with Birch {run}", role="link")
    assert "Is a school place arranged?" in await visit.text()
    await expect(visit.page.get_by_text("New message")).to_be_visible()
    await visit.fill(f"Your message to Birch {run}", "Yes, at Oak Primary.")
    await visit.click("Send message")
    assert f"Message sent to Birch {run}" in await banner(visit)

    # when both providers offer, the caseworker compares them and accepts Birch's
    for provider, fee in ((birch, "4000.00"), (cedar, "4500.00")):
        made = await api.data(
            SUBMIT, offer_input(referral, provider, coreFee=fee), token=provider.admin.token
        )
        assert made["submitOffer"]["userErrors"] == [], made
    await visit.go(f"/referrals/{referral}")
    compared = visit.page.locator("#offers-compared")
    await expect(compared).to_contain_text("£4,350.00")
    await expect(compared).to_contain_text("£4,850.00")
    await visit.click(f"Accept offer from Birch {run}", role="link")
    assert f"Cedar {run}" in await visit.text()  # the offer that will be declined
    await visit.click("Accept offer")
    assert f"Offer from Birch {run} accepted; the other 1 declined" in await banner(visit)
    # then Cedar sees its offer declined with the reason
    offers = await api.data(
        "query ($id: ID!) { node(id: $id) { ... on Referral { offers { id status declineReason } } } }",
        {"id": referral},
        token=cedar.admin.token,
    )
    declined = offers["node"]["offers"][0]
    assert declined["status"] == "DECLINED"
    assert declined["declineReason"] == "Another offer was accepted for this referral."

    # when the caseworker generates the agreement, fills the draft and enables it
    await visit.click("Generate agreement")
    await visit.page.locator("#fields-socialWorker-name").fill("Sam Patel")
    await visit.page.locator("#fields-socialWorker-email").fill("sam.patel@example.org")
    await visit.page.locator("#fields-placementStartDate-day").fill("7")
    await visit.page.locator("#fields-placementStartDate-month").fill("12")
    await visit.page.locator("#fields-placementStartDate-year").fill("2026")
    await visit.fill("Purchase order number (optional)", f"PO-{run}")
    await visit.click("Save draft")
    assert "Draft agreement saved" in await banner(visit)
    await visit.click("Enable for signing", role="link")
    await visit.click("Enable for signing")
    content_hash = (await visit.page.locator("#content-hash").inner_text()).strip()
    agreement = visit.page.url

    # and the provider's signatory signs it
    provider_tab = await tab(chromium, served_portal.url, javascript)
    await sign_in(provider_tab, provider_signatory)
    await provider_tab.go(agreement.replace(served_portal.url, ""))
    await provider_tab.click("Sign agreement")  # the button-styled link
    assert content_hash in await provider_tab.text()
    await provider_tab.click("Sign agreement")
    assert "Agreement signed" in await banner(provider_tab)

    # and the LA's signatory authorises the caseworker, who signs on their behalf
    signatory_tab = await tab(chromium, served_portal.url, javascript)
    await sign_in(signatory_tab, la_signatory)
    await signatory_tab.go("/account")
    await signatory_tab.click("Authorise a colleague to sign on your behalf", role="link")
    await signatory_tab.page.get_by_label(
        caseworker.email.split("@")[0].replace(".", " ").title(), exact=True
    ).check()
    await signatory_tab.click("Authorise colleague")
    await visit.go(agreement.replace(served_portal.url, ""))
    await visit.click("Sign agreement")  # the button-styled link
    await visit.click("Sign agreement")
    # then both sides see it signed, with both names and the same hash
    assert "Agreement signed by both sides" in await banner(visit)
    signatures = await visit.page.locator("#signatures").inner_text()
    assert signatures.count(content_hash) == 2 and "on behalf of" in signatures
    await provider_tab.go(agreement.replace(served_portal.url, ""))
    assert (await provider_tab.page.locator("#signatures").inner_text()).count(content_hash) == 2

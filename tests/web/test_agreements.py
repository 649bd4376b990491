"""Agreements in the web client: the LA drafts and enables the IPA, both sides' signatories
(one through an authorised colleague) sign the same content hash."""

from __future__ import annotations

import re

import httpx

from core.identity.roles import Role
from tests.offers.helpers import ACCEPT, pilot_la, ready_provider, sent_referral, submitted
from tests.people import People
from tests.referrals.homes import HomeSpec
from tests.registration.helpers import PDF
from tests.web.session import WebSession

HASH = re.compile(r'id="content-hash">([0-9a-f]{64})<')


async def _accepted(people: People, client):  # type: ignore[no-untyped-def]
    la = await pilot_la(people)
    birch = await ready_provider(people, HomeSpec(name="Birch House"), name="Birch Care")
    referral = await sent_referral(client, la)
    offer = await submitted(client, referral, birch, coreFee="4000.00")
    accepted = await client.data(ACCEPT, {"id": offer["id"]}, token=la.caseworker.token)
    assert accepted["acceptOffer"]["userErrors"] == []
    return la, birch, referral, offer


async def _drafted(web: WebSession, people: People, client):  # type: ignore[no-untyped-def]
    la, birch, referral, offer = await _accepted(people, client)
    await web.sign_in(la.caseworker)
    made = await web.post(
        f"/offers/{offer['id']}/agreement", {}, from_page=f"/referrals/{referral}"
    )
    page = await web.follow(made)
    agreement = made.headers["location"]
    return la, birch, agreement, page


async def test_the_la_generates_the_agreement_from_the_accepted_offer(
    web: WebSession, people: People, client
) -> None:
    # when the caseworker generates the agreement from the referral's page
    _, _, agreement, page = await _drafted(web, people, client)
    # then the draft shows the offer's terms read-only and the LA's own fields as a form
    assert agreement.startswith("/agreements/")
    assert "Agreement drafted from the accepted offer" in page.text
    assert "Terms from the accepted offer" in page.text
    assert "£4,350.00" in page.text  # the weekly total: core fee and weekly costs
    assert 'name="fields.socialWorker.name"' in page.text
    assert 'name="fields.coreFee"' not in page.text


async def test_the_la_fills_the_draft_attaches_a_document_and_enables_it(
    web: WebSession, people: People, client
) -> None:
    # given a draft agreement
    _, _, agreement, _ = await _drafted(web, people, client)
    # when the LA fills its fields and attaches a document
    saved = await web.post(
        agreement,
        {
            "fields.placementStartDate-day": "7",
            "fields.placementStartDate-month": "12",
            "fields.placementStartDate-year": "2026",
            "fields.socialWorker.name": "Sam Patel",
            "fields.socialWorker.email": "sam.patel@stoke.example.org",
            "fields.purchaseOrderNumber": "PO-1234",
        },
        files={"attachments": ("Care plan.pdf", PDF, "application/pdf")},
    )
    page = await web.follow(saved)
    assert "Draft agreement saved" in page.text
    assert 'value="Sam Patel"' in page.text and "Care plan.pdf" in page.text
    # and enables it behind the confirmation
    confirm = await web.get(f"{agreement}/enable")
    assert "nothing in the agreement can change" in confirm.text
    enabled = await web.follow(await web.post(f"{agreement}/enable", {}))
    # then it is frozen with its hash, the LA's fields shown read-only
    assert "Agreement enabled for signing" in enabled.text
    assert HASH.search(enabled.text)
    assert "PO-1234" in enabled.text and 'name="fields.purchaseOrderNumber"' not in enabled.text


async def test_a_wrong_date_is_shown_on_its_field(web: WebSession, people: People, client) -> None:
    _, _, agreement, _ = await _drafted(web, people, client)
    response = await web.post(
        agreement,
        {
            "fields.placementStartDate-day": "31",
            "fields.placementStartDate-month": "2",
            "fields.placementStartDate-year": "2027",
        },
    )
    assert response.status_code == 400
    assert 'id="fields-placementStartDate-error"' in response.text


async def test_both_signatories_sign_the_same_hash_one_through_a_colleague(
    web: WebSession, people: People, client
) -> None:
    # given an agreement enabled for signing
    la, birch, agreement, _ = await _drafted(web, people, client)
    enabled = await web.follow(await web.post(f"{agreement}/enable", {}))
    content_hash = HASH.search(enabled.text).group(1)
    provider_signatory = await people.signed_in(birch.organisation_id, Role.PROVIDER_SIGNATORY)
    la_signatory = await people.signed_in(la.id, Role.LA_SIGNATORY)
    caseworker_cookies = httpx.Cookies(web.http.cookies)  # the caseworker stays signed in
    # and the LA's signatory authorises the caseworker on /account
    web.http.cookies.clear()
    await web.sign_in(la_signatory)
    granted = await web.post("/account/signing-authority", {"userId": la.caseworker.id})
    assert "Colleague authorised to sign on your behalf" in (await web.follow(granted)).text
    # when the provider's signatory signs
    web.http.cookies.clear()
    await web.sign_in(provider_signatory)
    sign_page = await web.get(f"{agreement}/sign")
    assert content_hash in sign_page.text
    signed = await web.follow(await web.post(f"{agreement}/sign", {"onBehalfOfUserId": "self"}))
    assert "Agreement signed" in signed.text
    # and the caseworker signs on the LA signatory's behalf
    web.http.cookies = caseworker_cookies
    sign_page = await web.get(f"{agreement}/sign")
    assert "on behalf of" in sign_page.text.lower()
    done = await web.follow(
        await web.post(f"{agreement}/sign", {"onBehalfOfUserId": la_signatory.id})
    )
    # then both sides see it signed, with both names and the same hash
    assert "Agreement signed by both sides" in done.text
    assert done.text.count(f"hash {content_hash}") == 2
    assert "on behalf of" in done.text
    web.http.cookies.clear()
    await web.sign_in(birch.admin)  # the provider's side (a sign-in per person per test)
    seen = await web.get(agreement)
    assert "Signed by both sides" in seen.text and content_hash in seen.text


async def test_a_signatory_only_person_sees_agreements_to_sign_and_no_referrals(
    web: WebSession, people: People, client
) -> None:
    _, birch, agreement, _ = await _drafted(web, people, client)
    referral = re.search(r'href="/referrals/([^"/#]+)', (await web.get(agreement)).text)
    assert referral is not None
    referral = referral.group(1)
    await web.post(f"{agreement}/enable", {})
    provider_signatory = await people.signed_in(birch.organisation_id, Role.PROVIDER_SIGNATORY)
    web.http.cookies.clear()
    home = await web.sign_in(provider_signatory)
    assert "Agreements to sign" in home.text and agreement in home.text
    # the referrals are not theirs to open, neither the list nor this one (the LA's
    # signatory gets 404 on them too: tests/web/test_casework.py)
    assert (await web.get(f"/referrals/{referral}")).status_code == 404
    assert (await web.get("/referrals")).status_code == 404


async def test_another_las_caseworker_gets_404_on_the_agreement(
    web: WebSession, people: People, client
) -> None:
    _, _, agreement, _ = await _drafted(web, people, client)
    other = await people.local_authority("Coventry", "COV", ("RESIDENTIAL",))
    outsider = await people.caseworker(other)
    web.http.cookies.clear()
    await web.sign_in(outsider)
    for path in (agreement, f"{agreement}/enable", f"{agreement}/sign"):
        assert (await web.get(path)).status_code == 404, path

"""Submitting an offer: one matching home, money in pounds and pence, the category's details,
the compulsory documents as they are at submission, one live offer per provider."""

from __future__ import annotations

from datetime import date, timedelta

from core.documents.kinds import DocumentKind
from core.identity.roles import Role
from tests.offers.helpers import (
    SUBMIT,
    add_document,
    document_id,
    emails_to,
    notifications_of,
    offer_input,
    ready_provider,
    sent_referral,
    submitted,
)
from tests.people import People
from tests.referrals.homes import HomeSpec, provider_with_homes
from tests.referrals.operations import DECLINE as DECLINE_REFERRAL
from tests.registration.helpers import PDF, UPLOAD_DOCUMENT, upload_data

MY_DELIVERY = """
query ($id: ID!) { node(id: $id) { ... on Referral { myDelivery { status } } } }
"""


async def _submit(client, token: str, variables: dict) -> dict:
    return (await client.data(SUBMIT, variables, token=token))["submitOffer"]


async def test_a_provider_offers_one_of_its_matching_homes(people: People, la, client) -> None:
    # given
    provider = await ready_provider(people, HomeSpec(name="Oak House"))
    referral = await sent_referral(client, la)
    # when
    offer = await submitted(client, referral, provider, coreFee="4250.5")
    # then
    assert offer["status"] == "SUBMITTED"
    assert offer["version"] == 1
    assert offer["coreFee"] == "4250.50"
    assert offer["additionalCosts"] == [
        {"description": "Extra 1:1 support", "amount": "350.00", "frequency": "WEEKLY"}
    ]
    assert offer["home"]["name"] == "Oak House"
    assert offer["referral"]["id"] == referral
    assert offer["provider"]["id"] == provider.id


async def test_the_delivery_becomes_offered(people: People, la, client) -> None:
    # given
    provider = await ready_provider(people)
    referral = await sent_referral(client, la)
    # when
    await submitted(client, referral, provider)
    # then
    data = await client.data(MY_DELIVERY, {"id": referral}, token=provider.admin.token)
    assert data["node"]["myDelivery"]["status"] == "OFFERED"


async def test_the_la_caseworkers_and_admins_are_notified_with_an_email(
    people: People, la, client
) -> None:
    # given
    provider = await ready_provider(people)
    la_admin = await people.la_admin(la.id)
    referral = await sent_referral(client, la)
    # when
    await submitted(client, referral, provider)
    # then
    for person in (la.caseworker, la_admin):
        assert len(await notifications_of(people, person, "OFFER_RECEIVED")) == 1
        assert [e.kind for e in await emails_to(people, person)] == ["OFFER_RECEIVED"]
    assert await notifications_of(people, provider.admin, "OFFER_RECEIVED") == []


async def test_a_fee_with_more_than_two_decimal_places_or_below_zero_is_refused(
    people: People, la, client
) -> None:
    # given
    provider = await ready_provider(people)
    referral = await sent_referral(client, la)
    costs = [{"description": "Transport", "amount": "-5", "frequency": "ONE_OFF"}]
    # when
    result = await _submit(
        client,
        provider.admin.token,
        offer_input(referral, provider, coreFee="100.125", additionalCosts=costs),
    )
    # then
    assert result["offer"] is None
    assert {(tuple(e["field"]), e["code"]) for e in result["userErrors"]} == {
        (("input", "coreFee"), "INVALID"),
        (("input", "additionalCosts", "0", "amount"), "INVALID"),
    }


async def test_details_are_checked_against_the_category_schema_with_paths_inside_details(
    people: People, la, client
) -> None:
    # given
    provider = await ready_provider(people)
    referral = await sent_referral(client, la)
    # when
    result = await _submit(
        client,
        provider.admin.token,
        offer_input(referral, provider, details={"staffingRatio": 2, "nonFrameworkHome": "no"}),
    )
    # then
    assert sorted(e["field"] for e in result["userErrors"]) == [
        ["input", "details", "nonFrameworkHome"],
        ["input", "details", "staffingRatio"],
    ]
    assert all(e["code"] == "INVALID" for e in result["userErrors"])


async def test_a_home_that_does_not_match_the_referral_is_refused(
    people: People, la, client
) -> None:
    # given a provider with a matching home and a home for under-fives
    provider = await ready_provider(people, HomeSpec(), HomeSpec(min_age=0, max_age=5))
    referral = await sent_referral(client, la)
    # when
    result = await _submit(
        client, provider.admin.token, offer_input(referral, provider, homeId=provider.home(1))
    )
    # then
    assert [(e["field"], e["code"]) for e in result["userErrors"]] == [
        (["input", "homeId"], "INVALID")
    ]


async def test_another_providers_home_is_not_found(people: People, la, client) -> None:
    # given
    provider = await ready_provider(people)
    other = await ready_provider(people)
    referral = await sent_referral(client, la)
    # when
    result = await _submit(
        client, provider.admin.token, offer_input(referral, provider, homeId=other.home())
    )
    # then
    assert [(e["field"], e["code"]) for e in result["userErrors"]] == [
        (["input", "homeId"], "NOT_FOUND")
    ]


async def test_a_provider_that_did_not_receive_the_referral_cannot_offer(
    people: People, la, client
) -> None:
    # given a fostering provider; the referral is residential
    provider = await ready_provider(people, HomeSpec("FOSTERING"))
    referral = await sent_referral(client, la)
    # when
    result = await _submit(client, provider.admin.token, offer_input(referral, provider))
    # then
    assert [(e["field"], e["code"]) for e in result["userErrors"]] == [
        (["input", "referralId"], "NOT_FOUND")
    ]


async def test_a_provider_that_declined_the_referral_cannot_offer(
    people: People, la, client
) -> None:
    # given
    provider = await ready_provider(people)
    referral = await sent_referral(client, la)
    await client.data(
        DECLINE_REFERRAL, {"id": referral, "reason": "Full"}, token=provider.admin.token
    )
    # when
    result = await _submit(client, provider.admin.token, offer_input(referral, provider))
    # then
    assert [e["code"] for e in result["userErrors"]] == ["INVALID_STATE"]


async def test_a_second_offer_of_the_same_provider_is_a_conflict(
    people: People, la, client
) -> None:
    # given an offer by the provider's admin
    provider = await ready_provider(people)
    colleague = await people.signed_in(provider.organisation_id, Role.PROVIDER_USER)
    referral = await sent_referral(client, la)
    await submitted(client, referral, provider)
    # when a colleague offers too
    result = await _submit(client, colleague.token, offer_input(referral, provider))
    # then
    assert [(e["field"], e["code"]) for e in result["userErrors"]] == [
        (["input", "referralId"], "CONFLICT")
    ]


async def test_an_expired_insurance_certificate_refuses_the_offer(
    people: People, la, client
) -> None:
    # given a provider whose only insurance certificate expired yesterday
    provider = await ready_provider(
        people, documents=(DocumentKind.OFSTED_CERTIFICATE, DocumentKind.STATEMENT_OF_PURPOSE)
    )
    await add_document(
        people,
        provider.organisation_id,
        DocumentKind.INSURANCE,
        expires_on=date.today() - timedelta(days=1),
    )
    referral = await sent_referral(client, la)
    # when
    result = await _submit(client, provider.admin.token, offer_input(referral, provider))
    # then
    assert result["offer"] is None
    [error] = result["userErrors"]
    assert error["code"] == "MISSING_DOCUMENT"
    assert "INSURANCE" in error["message"] and "expired" in error["message"]


async def test_a_missing_statement_of_purpose_refuses_a_residential_offer(
    people: People, la, client
) -> None:
    # given
    provider = await ready_provider(
        people, documents=(DocumentKind.INSURANCE, DocumentKind.OFSTED_CERTIFICATE)
    )
    referral = await sent_referral(client, la)
    # when
    result = await _submit(client, provider.admin.token, offer_input(referral, provider))
    # then
    assert [e["code"] for e in result["userErrors"]] == ["MISSING_DOCUMENT"]
    assert "STATEMENT_OF_PURPOSE" in result["userErrors"][0]["message"]


async def test_the_newest_current_documents_are_attached_first_then_the_optional_ones(
    people: People, la, client
) -> None:
    # given an older and a newer insurance certificate, and an optional document
    provider = await ready_provider(
        people, documents=(DocumentKind.OFSTED_CERTIFICATE, DocumentKind.STATEMENT_OF_PURPOSE)
    )
    await add_document(people, provider.organisation_id, DocumentKind.INSURANCE, name="Old")
    newer = await add_document(people, provider.organisation_id, DocumentKind.INSURANCE, name="New")
    extra = await add_document(people, provider.organisation_id, DocumentKind.OTHER, name="Menu")
    referral = await sent_referral(client, la)
    # when
    offer = await submitted(client, referral, provider, documentIds=[document_id(extra)])
    # then
    assert [d["kind"] for d in offer["documents"]] == [
        "INSURANCE",
        "OFSTED_CERTIFICATE",
        "STATEMENT_OF_PURPOSE",
        "OTHER",
    ]
    assert offer["documents"][0]["id"] == document_id(newer)
    assert offer["documents"][-1]["id"] == document_id(extra)


async def test_an_offers_documents_are_unchanged_after_a_new_upload(
    people: People, la, client
) -> None:
    # given an offer
    provider = await ready_provider(people)
    referral = await sent_referral(client, la)
    offer = await submitted(client, referral, provider)
    # when the provider uploads a new insurance certificate
    upload = await upload_data(
        client.http,
        UPLOAD_DOCUMENT,
        {"kind": "INSURANCE", "expiresOn": (date.today() + timedelta(days=400)).isoformat()},
        filename="insurance-2027.pdf",
        data=PDF,
        token=provider.admin.token,
    )
    assert upload["uploadDocument"]["userErrors"] == []
    # then the offer still has the certificate it was made with
    from tests.offers.helpers import NODE

    again = (await client.data(NODE, {"id": offer["id"]}, token=la.caseworker.token))["node"]
    assert again["documents"] == offer["documents"]
    assert upload["uploadDocument"]["document"]["id"] not in {d["id"] for d in again["documents"]}


async def test_another_organisations_document_cannot_be_attached(
    people: People, la, client
) -> None:
    # given
    provider = await ready_provider(people)
    other = await ready_provider(people)
    theirs = await add_document(people, other.organisation_id, DocumentKind.OTHER)
    referral = await sent_referral(client, la)
    # when
    result = await _submit(
        client,
        provider.admin.token,
        offer_input(referral, provider, documentIds=[document_id(theirs)]),
    )
    # then
    assert [(e["field"], e["code"]) for e in result["userErrors"]] == [
        (["input", "documentIds", "0"], "NOT_FOUND")
    ]


async def test_a_provider_signatory_cannot_offer(people: People, la, client) -> None:
    # given
    provider = await provider_with_homes(people, HomeSpec())
    signatory = await people.signed_in(provider.organisation_id, Role.PROVIDER_SIGNATORY)
    referral = await sent_referral(client, la)
    # when
    result = await _submit(client, signatory.token, offer_input(referral, provider))
    # then
    assert [e["code"] for e in result["userErrors"]] == ["FORBIDDEN"]


OFFER_TOTAL = "query ($id: ID!) { node(id: $id) { ... on Offer { totalWeeklyFee } } }"


async def test_an_offers_weekly_total_is_the_core_fee_and_weekly_costs_not_one_off_ones(
    people: People, la, client
) -> None:
    # given an offer of 4250.00 a week, 350.00 a week extra and 99.99 once
    provider = await ready_provider(people)
    referral = await sent_referral(client, la)
    costs = [
        {"description": "Extra 1:1 support", "amount": "350.00", "frequency": "WEEKLY"},
        {"description": "Welcome pack", "amount": "99.99", "frequency": "ONE_OFF"},
    ]
    offer = await submitted(client, referral, provider, additionalCosts=costs)
    # when
    data = await client.data(OFFER_TOTAL, {"id": offer["id"]}, token=la.caseworker.token)
    # then
    assert data["node"]["totalWeeklyFee"] == "4600.00"

"""Coded reasons: declines of referrals and offers carry a DeclineReasonCode; callers that send
only a reason keep working, with OTHER (contract 13)."""

from __future__ import annotations

from tests.offers.helpers import DECLINE as DECLINE_OFFER_OLD
from tests.offers.helpers import ready_provider, sent_referral, submitted
from tests.people import People
from tests.referrals.homes import HomeSpec, provider_with_homes
from tests.referrals.operations import DECLINE as DECLINE_REFERRAL_OLD
from tests.sufficiency.given import ERRORS, MY_DELIVERY, deliveries_of

DECLINE_REFERRAL = f"""
mutation ($id: ID!, $reason: String!, $code: DeclineReasonCode) {{
  declineReferral(input: {{id: $id, reason: $reason, reasonCode: $code}}) {{
    referral {{ myDelivery {{ status declineReason declineReasonCode }} }} {ERRORS}
  }}
}}"""
DECLINE_OFFER = f"""
mutation ($id: ID!, $reason: String!, $code: DeclineReasonCode) {{
  declineOffer(input: {{id: $id, reason: $reason, reasonCode: $code}}) {{
    offer {{ status declineReason declineReasonCode }} {ERRORS}
  }}
}}"""


async def test_a_provider_declines_a_referral_with_a_code_and_its_reason(
    people: People, la, client
) -> None:
    provider = await provider_with_homes(people, HomeSpec())
    referral = await sent_referral(client, la)
    result = await client.data(
        DECLINE_REFERRAL,
        {
            "id": referral,
            "reason": "Our home has two boys of 15",
            "code": "MATCHING_WITH_OTHER_CHILDREN",
        },
        token=provider.admin.token,
    )
    assert result["declineReferral"]["userErrors"] == []
    assert result["declineReferral"]["referral"]["myDelivery"] == {
        "status": "DECLINED",
        "declineReason": "Our home has two boys of 15",
        "declineReasonCode": "MATCHING_WITH_OTHER_CHILDREN",
    }
    seen = (await deliveries_of(client, la, referral))[provider.id]
    assert seen["declineReasonCode"] == "MATCHING_WITH_OTHER_CHILDREN"


async def test_a_decline_with_only_a_reason_is_coded_other(people: People, la, client) -> None:
    provider = await provider_with_homes(people, HomeSpec())
    referral = await sent_referral(client, la)
    result = await client.data(
        DECLINE_REFERRAL_OLD, {"id": referral, "reason": "No"}, token=provider.admin.token
    )
    assert result["declineReferral"]["userErrors"] == []
    mine = await client.data(MY_DELIVERY, {"id": referral}, token=provider.admin.token)
    assert mine["node"]["myDelivery"]["declineReasonCode"] == "OTHER"


async def test_a_code_does_not_replace_the_required_reason(people: People, la, client) -> None:
    provider = await provider_with_homes(people, HomeSpec())
    referral = await sent_referral(client, la)
    result = await client.data(
        DECLINE_REFERRAL,
        {"id": referral, "reason": " ", "code": "RISK"},
        token=provider.admin.token,
    )
    assert result["declineReferral"]["userErrors"][0]["field"] == ["input", "reason"]


async def test_the_la_declines_an_offer_with_a_code(people: People, la, client) -> None:
    provider = await ready_provider(people)
    referral = await sent_referral(client, la)
    offer = await submitted(client, referral, provider)
    result = await client.data(
        DECLINE_OFFER,
        {"id": offer["id"], "reason": "Above our framework rate", "code": "COST"},
        token=la.caseworker.token,
    )
    assert result["declineOffer"]["offer"] == {
        "status": "DECLINED",
        "declineReason": "Above our framework rate",
        "declineReasonCode": "COST",
    }


async def test_an_offer_declined_with_only_a_reason_is_coded_other(
    people: People, la, client
) -> None:
    provider = await ready_provider(people)
    referral = await sent_referral(client, la)
    offer = await submitted(client, referral, provider)
    result = await client.data(
        DECLINE_OFFER_OLD, {"id": offer["id"], "reason": "Not this time"}, token=la.caseworker.token
    )
    assert result["declineOffer"]["userErrors"] == []
    query = "query ($id: ID!) { node(id: $id) { ... on Offer { declineReasonCode } } }"
    seen = await client.data(query, {"id": offer["id"]}, token=provider.admin.token)
    assert seen["node"]["declineReasonCode"] == "OTHER"

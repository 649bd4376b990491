"""Finding 2: a provider user cannot void a signed IPA by revising the accepted offer.

Contract section 9: the signed agreement stays SIGNED until the LA accepts the revision and a
new IPA is drawn from it; the old offer stays ACCEPTED meanwhile; a declined revision changes
nothing.
"""

from __future__ import annotations

from core.identity.roles import Role
from tests.ipas.operations import ENABLE, GENERATE, IPAS, SIGN
from tests.offers.helpers import (
    ACCEPT,
    DECLINE,
    NODE,
    REVISE,
    pilot_la,
    ready_provider,
    sent_referral,
    submitted,
)
from tests.people import People


async def _signed(people: People, client):
    la = await pilot_la(people)
    provider = await ready_provider(people)
    la_signatory = await people.signed_in(la.id, Role.LA_SIGNATORY)
    provider_signatory = await people.signed_in(provider.organisation_id, Role.PROVIDER_SIGNATORY)
    provider_user = await people.signed_in(provider.organisation_id, Role.PROVIDER_USER)
    referral = await sent_referral(client, la)
    offer = await submitted(client, referral, provider)
    await client.data(ACCEPT, {"id": offer["id"]}, token=la.caseworker.token)
    ipa = (await client.data(GENERATE, {"id": offer["id"]}, token=la.caseworker.token))[
        "generateIpa"
    ]["ipa"]
    await client.data(ENABLE, {"id": ipa["id"]}, token=la.caseworker.token)
    for signatory in (la_signatory, provider_signatory):
        signed = await client.data(
            SIGN, {"id": ipa["id"], "onBehalfOf": None}, token=signatory.token
        )
        assert signed["signIpa"]["userErrors"] == []
    return la, provider_user, offer, ipa


async def _ipa_status(client, token: str, ipa_id: str) -> str:
    listed = (await client.data(IPAS, token=token))["ipas"]
    return {i["id"]: i["status"] for i in listed}[ipa_id]


async def test_a_provider_users_revision_leaves_the_signed_ipa_signed(
    people: People, client
) -> None:
    # given a SIGNED IPA
    la, provider_user, offer, ipa = await _signed(people, client)

    # when a provider user revises the accepted offer
    revised = (
        await client.data(
            REVISE, {"input": {"id": offer["id"], "coreFee": "1.00"}}, token=provider_user.token
        )
    )["reviseAcceptedOffer"]

    # then nothing agreed has changed yet
    assert revised["userErrors"] == []
    assert await _ipa_status(client, la.caseworker.token, ipa["id"]) == "SIGNED"
    old = (await client.data(NODE, {"id": offer["id"]}, token=la.caseworker.token))["node"]
    assert old["status"] == "ACCEPTED"


async def test_a_declined_revision_changes_nothing(people: People, client) -> None:
    # given a SIGNED IPA and a revision of its offer
    la, provider_user, offer, ipa = await _signed(people, client)
    revised = (
        await client.data(
            REVISE, {"input": {"id": offer["id"], "coreFee": "1.00"}}, token=provider_user.token
        )
    )["reviseAcceptedOffer"]["offer"]

    # when the LA declines the revision
    declined = (
        await client.data(DECLINE, {"id": revised["id"], "reason": "No"}, token=la.caseworker.token)
    )["declineOffer"]

    # then the placement, the accepted offer and the signed IPA are as they were
    assert declined["offer"]["referral"]["status"] == "PLACED"
    old = (await client.data(NODE, {"id": offer["id"]}, token=la.caseworker.token))["node"]
    assert old["status"] == "ACCEPTED"
    assert await _ipa_status(client, la.caseworker.token, ipa["id"]) == "SIGNED"


async def test_the_signed_ipa_is_superseded_only_by_a_new_ipa_of_the_accepted_revision(
    people: People, client
) -> None:
    # given a SIGNED IPA and an accepted revision of its offer
    la, provider_user, offer, ipa = await _signed(people, client)
    revised = (
        await client.data(
            REVISE, {"input": {"id": offer["id"], "coreFee": "4400"}}, token=provider_user.token
        )
    )["reviseAcceptedOffer"]["offer"]
    await client.data(ACCEPT, {"id": revised["id"]}, token=la.caseworker.token)
    still_signed = await _ipa_status(client, la.caseworker.token, ipa["id"])

    # when the LA draws the new IPA
    new = (await client.data(GENERATE, {"id": revised["id"]}, token=la.caseworker.token))[
        "generateIpa"
    ]

    # then
    assert still_signed == "SIGNED"
    assert new["userErrors"] == []
    assert await _ipa_status(client, la.caseworker.token, ipa["id"]) == "SUPERSEDED"


async def test_an_accepted_offer_has_one_revision_at_a_time(people: People, client) -> None:
    # given
    _la, provider_user, offer, _ipa = await _signed(people, client)
    first = (
        await client.data(
            REVISE, {"input": {"id": offer["id"], "coreFee": "4400"}}, token=provider_user.token
        )
    )["reviseAcceptedOffer"]

    # when
    second = (
        await client.data(
            REVISE, {"input": {"id": offer["id"], "coreFee": "4500"}}, token=provider_user.token
        )
    )["reviseAcceptedOffer"]

    # then
    assert first["userErrors"] == []
    assert [e["code"] for e in second["userErrors"]] == ["CONFLICT"]

"""After submission: the provider edits or withdraws; the LA accepts one offer (declining the
others with a reason) or declines with a reason; an accepted offer never changes."""

from __future__ import annotations

from sqlalchemy import select

from core.models import Offer
from tests.offers.helpers import (
    ACCEPT,
    DECLINE,
    NODE,
    REFERRAL_OFFERS,
    REQUIRED,
    REVISE,
    SUBMIT,
    UPDATE,
    WITHDRAW,
    add_document,
    notifications_of,
    offer_input,
    ready_provider,
    sent_referral,
    submitted,
)
from tests.people import People


async def _errors(result: dict) -> list[tuple]:
    return [(tuple(e["field"] or ()), e["code"]) for e in result["userErrors"]]


async def test_an_update_raises_the_version_and_notifies_the_la(people: People, la, client) -> None:
    # given
    provider = await ready_provider(people)
    referral = await sent_referral(client, la)
    offer = await submitted(client, referral, provider)
    # when
    result = (
        await client.data(
            UPDATE,
            {"input": {"id": offer["id"], "coreFee": "4300", "startDate": None}},
            token=provider.admin.token,
        )
    )["updateOffer"]
    # then
    assert result["userErrors"] == []
    assert result["offer"]["version"] == 2
    assert result["offer"]["coreFee"] == "4300.00"
    assert result["offer"]["startDate"] is None
    assert result["offer"]["additionalCosts"] == offer["additionalCosts"]
    assert len(await notifications_of(people, la.caseworker, "OFFER_UPDATED")) == 1


async def test_an_update_that_changes_nothing_keeps_the_version(people: People, la, client) -> None:
    # given
    provider = await ready_provider(people)
    referral = await sent_referral(client, la)
    offer = await submitted(client, referral, provider)
    # when
    result = (
        await client.data(
            UPDATE, {"input": {"id": offer["id"], "coreFee": "4250"}}, token=provider.admin.token
        )
    )["updateOffer"]
    # then
    assert result["offer"]["version"] == 1
    assert await notifications_of(people, la.caseworker, "OFFER_UPDATED") == []


async def test_withdrawing_notifies_the_la_and_lets_the_provider_offer_again(
    people: People, la, client
) -> None:
    # given
    provider = await ready_provider(people)
    referral = await sent_referral(client, la)
    offer = await submitted(client, referral, provider)
    # when
    withdrawn = (await client.data(WITHDRAW, {"id": offer["id"]}, token=provider.admin.token))[
        "withdrawOffer"
    ]
    again = (
        await client.data(SUBMIT, offer_input(referral, provider), token=provider.admin.token)
    )["submitOffer"]
    # then
    assert withdrawn["offer"]["status"] == "WITHDRAWN"
    assert withdrawn["offer"]["version"] == 2
    assert again["userErrors"] == []
    assert len(await notifications_of(people, la.caseworker, "OFFER_WITHDRAWN")) == 1


async def test_accepting_places_the_referral_and_declines_the_others_with_a_reason(
    people: People, la, client
) -> None:
    # given two providers' offers
    chosen, other = await ready_provider(people), await ready_provider(people)
    referral = await sent_referral(client, la)
    accepted = await submitted(client, referral, chosen)
    declined = await submitted(client, referral, other)
    # when
    result = (await client.data(ACCEPT, {"id": accepted["id"]}, token=la.caseworker.token))[
        "acceptOffer"
    ]
    # then
    assert result["userErrors"] == []
    assert result["offer"]["status"] == "ACCEPTED"
    assert result["offer"]["referral"]["status"] == "PLACED"
    theirs = (await client.data(NODE, {"id": declined["id"]}, token=other.admin.token))["node"]
    assert theirs["status"] == "DECLINED"
    assert theirs["declineReason"] == "Another offer was accepted for this referral."
    [note] = await notifications_of(people, other.admin, "OFFER_DECLINED")
    assert "Another offer was accepted" in note.message
    assert len(await notifications_of(people, chosen.admin, "OFFER_ACCEPTED")) == 1


async def test_declining_requires_a_reason(people: People, la, client) -> None:
    # given
    provider = await ready_provider(people)
    referral = await sent_referral(client, la)
    offer = await submitted(client, referral, provider)
    # when
    result = (
        await client.data(DECLINE, {"id": offer["id"], "reason": "   "}, token=la.caseworker.token)
    )["declineOffer"]
    # then
    assert await _errors(result) == [(("input", "reason"), "INVALID")]


async def test_a_declined_offer_tells_the_provider_the_reason(people: People, la, client) -> None:
    # given
    provider = await ready_provider(people)
    referral = await sent_referral(client, la)
    offer = await submitted(client, referral, provider)
    # when
    await client.data(
        DECLINE,
        {"id": offer["id"], "reason": "The home is too far from her school."},
        token=la.caseworker.token,
    )
    # then
    mine = (await client.data(NODE, {"id": offer["id"]}, token=provider.admin.token))["node"]
    assert mine["status"] == "DECLINED"
    assert mine["declineReason"] == "The home is too far from her school."
    [note] = await notifications_of(people, provider.admin, "OFFER_DECLINED")
    assert "too far from her school" in note.message


async def test_another_las_staff_cannot_accept(people: People, la, client) -> None:
    # given
    provider = await ready_provider(people)
    referral = await sent_referral(client, la)
    offer = await submitted(client, referral, provider)
    other_la = await people.local_authority("Coventry", "COV", ("FOSTERING",))
    stranger = await people.caseworker(other_la)
    # when
    result = (await client.data(ACCEPT, {"id": offer["id"]}, token=stranger.token))["acceptOffer"]
    # then
    assert await _errors(result) == [(("input", "id"), "NOT_FOUND")]


async def test_an_accepted_offer_cannot_be_updated(people: People, la, client) -> None:
    # given
    provider = await ready_provider(people)
    referral = await sent_referral(client, la)
    offer = await submitted(client, referral, provider)
    await client.data(ACCEPT, {"id": offer["id"]}, token=la.caseworker.token)
    # when
    result = (
        await client.data(
            UPDATE, {"input": {"id": offer["id"], "coreFee": "1.00"}}, token=provider.admin.token
        )
    )["updateOffer"]
    # then
    assert [e["code"] for e in result["userErrors"]] == ["INVALID_STATE"]
    unchanged = (await client.data(NODE, {"id": offer["id"]}, token=provider.admin.token))["node"]
    assert (unchanged["status"], unchanged["coreFee"]) == ("ACCEPTED", "4250.00")


async def test_an_accepted_revision_supersedes_the_accepted_offer(
    people: People, la, client
) -> None:
    # given an accepted offer
    provider = await ready_provider(people)
    referral = await sent_referral(client, la)
    offer = await submitted(client, referral, provider)
    await client.data(ACCEPT, {"id": offer["id"]}, token=la.caseworker.token)
    # when the provider revises it, and the LA accepts the revision
    revised = (
        await client.data(
            REVISE, {"input": {"id": offer["id"], "coreFee": "4400"}}, token=provider.admin.token
        )
    )["reviseAcceptedOffer"]
    accepted = (
        await client.data(ACCEPT, {"id": revised["offer"]["id"]}, token=la.caseworker.token)
    )["acceptOffer"]
    # then
    assert revised["userErrors"] == []
    new = revised["offer"]
    assert new["id"] != offer["id"]
    assert new["status"] == "SUBMITTED"
    assert new["supersedes"] == {"id": offer["id"], "status": "ACCEPTED"}
    assert new["coreFee"] == "4400.00"
    assert new["additionalCosts"] == offer["additionalCosts"]
    assert new["home"] == offer["home"]
    assert new["startDate"] == offer["startDate"]
    assert accepted["userErrors"] == []
    assert accepted["offer"]["status"] == "ACCEPTED"
    assert accepted["offer"]["referral"]["status"] == "PLACED"
    old = (await client.data(NODE, {"id": offer["id"]}, token=provider.admin.token))["node"]
    assert old["status"] == "SUPERSEDED"


async def test_a_revision_attaches_the_compulsory_documents_as_they_are_now(
    people: People, la, client
) -> None:
    # given an accepted offer, then a new insurance certificate
    from core.documents.kinds import DocumentKind
    from tests.offers.helpers import document_id

    provider = await ready_provider(people)
    referral = await sent_referral(client, la)
    offer = await submitted(client, referral, provider)
    await client.data(ACCEPT, {"id": offer["id"]}, token=la.caseworker.token)
    renewed = await add_document(people, provider.organisation_id, DocumentKind.INSURANCE)
    # when
    revised = (
        await client.data(REVISE, {"input": {"id": offer["id"]}}, token=provider.admin.token)
    )["reviseAcceptedOffer"]["offer"]
    # then
    assert revised["documents"][0]["id"] == document_id(renewed)
    old = (await client.data(NODE, {"id": offer["id"]}, token=provider.admin.token))["node"]
    assert old["documents"] == offer["documents"]


async def test_only_an_accepted_offer_can_be_revised(people: People, la, client) -> None:
    # given
    provider = await ready_provider(people)
    referral = await sent_referral(client, la)
    offer = await submitted(client, referral, provider)
    # when
    result = (
        await client.data(REVISE, {"input": {"id": offer["id"]}}, token=provider.admin.token)
    )["reviseAcceptedOffer"]
    # then
    assert [e["code"] for e in result["userErrors"]] == ["INVALID_STATE"]


async def test_the_la_sees_every_offer_and_a_provider_only_its_own(
    people: People, la, client
) -> None:
    # given
    first, second = await ready_provider(people), await ready_provider(people)
    referral = await sent_referral(client, la)
    mine = await submitted(client, referral, first)
    theirs = await submitted(client, referral, second)
    # when
    as_la = await client.data(REFERRAL_OFFERS, {"id": referral}, token=la.caseworker.token)
    as_first = await client.data(REFERRAL_OFFERS, {"id": referral}, token=first.admin.token)
    # then
    assert [o["id"] for o in as_la["node"]["offers"]] == [mine["id"], theirs["id"]]
    assert [o["id"] for o in as_first["node"]["offers"]] == [mine["id"]]


async def test_one_provider_cannot_read_another_providers_offer(people: People, la, client) -> None:
    # given
    first, second = await ready_provider(people), await ready_provider(people)
    referral = await sent_referral(client, la)
    theirs = await submitted(client, referral, second)
    await submitted(client, referral, first)
    # when
    data = await client.data(NODE, {"id": theirs["id"]}, token=first.admin.token)
    # then
    assert data["node"] is None


async def test_another_la_cannot_read_the_offer(people: People, la, client) -> None:
    # given
    provider = await ready_provider(people)
    referral = await sent_referral(client, la)
    offer = await submitted(client, referral, provider)
    other_la = await people.local_authority("Coventry", "COV", ("FOSTERING",))
    stranger = await people.caseworker(other_la)
    # when
    data = await client.data(NODE, {"id": offer["id"]}, token=stranger.token)
    # then
    assert data["node"] is None


async def test_the_las_staff_can_download_the_offer_documents(people: People, la, client) -> None:
    # given
    provider = await ready_provider(people)
    referral = await sent_referral(client, la)
    offer = await submitted(client, referral, provider)
    # when
    responses = [
        await client.http.get(
            f"/documents/{d['id']}", headers={"Authorization": f"Bearer {la.caseworker.token}"}
        )
        for d in offer["documents"]
    ]
    # then
    assert len(responses) == len(REQUIRED)
    assert [r.status_code for r in responses] == [200] * len(offer["documents"])
    assert all(r.content.startswith(b"%PDF") for r in responses)


async def _revision_of_an_accepted_offer(people: People, la, client):
    provider = await ready_provider(people)
    referral = await sent_referral(client, la)
    offer = await submitted(client, referral, provider)
    await client.data(ACCEPT, {"id": offer["id"]}, token=la.caseworker.token)
    revised = (
        await client.data(
            REVISE, {"input": {"id": offer["id"], "coreFee": "4400"}}, token=provider.admin.token
        )
    )["reviseAcceptedOffer"]["offer"]
    return provider, referral, revised


async def test_a_declined_revision_leaves_the_accepted_offer_and_the_placement_as_they_were(
    people: People, la, client
) -> None:
    # given a revision of the accepted offer
    _provider, _referral, revised = await _revision_of_an_accepted_offer(people, la, client)
    # when the LA declines the revision
    declined = (
        await client.data(
            DECLINE,
            {"id": revised["id"], "reason": "The fee is too high"},
            token=la.caseworker.token,
        )
    )["declineOffer"]
    # then nothing agreed changed
    assert declined["userErrors"] == []
    assert declined["offer"]["referral"]["status"] == "PLACED"
    old = await client.data(NODE, {"id": revised["supersedes"]["id"]}, token=la.caseworker.token)
    assert old["node"]["status"] == "ACCEPTED"


async def test_a_withdrawn_revision_leaves_the_accepted_offer_as_it_was(
    people: People, la, client
) -> None:
    provider, _referral, revised = await _revision_of_an_accepted_offer(people, la, client)
    withdrawn = (await client.data(WITHDRAW, {"id": revised["id"]}, token=provider.admin.token))[
        "withdrawOffer"
    ]
    assert withdrawn["userErrors"] == []
    assert withdrawn["offer"]["referral"]["status"] == "PLACED"
    old = await client.data(NODE, {"id": revised["supersedes"]["id"]}, token=la.caseworker.token)
    assert old["node"]["status"] == "ACCEPTED"


async def test_a_declined_offer_that_revises_nothing_leaves_the_referral_as_it_was(
    people: People, la, client
) -> None:
    provider = await ready_provider(people)
    referral = await sent_referral(client, la)
    offer = await submitted(client, referral, provider)
    declined = (
        await client.data(DECLINE, {"id": offer["id"], "reason": "No"}, token=la.caseworker.token)
    )["declineOffer"]
    assert declined["offer"]["referral"]["status"] == "SENT"


async def test_an_las_system_accepts_and_declines_offers_with_its_api_token(
    people: People, la, client
) -> None:
    # given the LA's case-management system (an API token acts as a caseworker) and two offers
    from core.identity.roles import Role
    from tests.identity.world import CREATE_API_TOKEN

    admin = await people.signed_in(la.id, Role.LA_ADMIN)
    created = await client.data(CREATE_API_TOKEN, {"name": "Case system"}, token=admin.token)
    token = created["createApiToken"]["token"]
    providers = [await ready_provider(people), await ready_provider(people)]
    referral = await sent_referral(client, la)
    first = await submitted(client, referral, providers[0])
    second = await submitted(client, referral, providers[1])
    # when the system declines one and accepts the other
    declined = (await client.data(DECLINE, {"id": first["id"], "reason": "Too far"}, token=token))[
        "declineOffer"
    ]
    accepted = (await client.data(ACCEPT, {"id": second["id"]}, token=token))["acceptOffer"]
    # then both are decided, and each offer records the token that decided it
    assert declined["userErrors"] == [] and declined["offer"]["status"] == "DECLINED"
    assert accepted["userErrors"] == [] and accepted["offer"]["status"] == "ACCEPTED"
    async with people.db.session() as session:
        deciders = set(
            await session.scalars(select(Offer.decided_by_api_token_id).where(Offer.id.isnot(None)))
        )
    assert len(deciders) == 1 and None not in deciders

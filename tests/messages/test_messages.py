"""Messages between an LA and a provider about a referral (contract section 8): one thread per
referral and provider, isNew per person and never for the sender, only the two parties."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from sqlalchemy import select

from core.identity.roles import Role
from core.messages.service import MAX_BODY
from core.models import Notification, OutboxEmail
from tests.graphql_client import GraphQLClient
from tests.messages.conftest import Scene
from tests.messages.operations import MARK_READ, NODE, SEND, THREAD, message
from tests.people import Person

WITHDRAW = """
mutation ($id: ID!) { withdrawReferral(input: {id: $id, reason: "Placed elsewhere"}) { userErrors { code } } }
"""
CREATE_API_TOKEN = """
mutation { createApiToken(input: {name: "Case system"}) { token userErrors { code } } }
"""


async def _send(
    client: GraphQLClient, person: Person, referral_id: str, body: str = "Hello", **extra: Any
) -> dict[str, Any]:
    return (await client.data(SEND, message(referral_id, body, **extra), token=person.token))[
        "sendMessage"
    ]


async def _sent(
    client: GraphQLClient, person: Person, referral_id: str, body: str = "Hello", **extra: Any
) -> dict[str, Any]:
    payload = await _send(client, person, referral_id, body, **extra)
    assert payload["userErrors"] == [], payload
    return payload["message"]


async def _thread(
    client: GraphQLClient, person: Person, referral_id: str, provider_id: str | None = None
) -> dict[str, Any] | None:
    data = await client.data(
        THREAD, {"id": referral_id, "providerId": provider_id}, token=person.token
    )
    return data["node"]["thread"] if data["node"] else None


async def _mark_read(client: GraphQLClient, person: Person, thread_id: str) -> dict[str, Any]:
    return (await client.data(MARK_READ, {"threadId": thread_id}, token=person.token))[
        "markThreadRead"
    ]


# ---------------------------------------------------------------- writing and reading


async def test_a_provider_writes_in_its_thread_and_the_la_reads_it(
    scene: Scene, client: GraphQLClient
) -> None:
    # when
    sent = await _sent(client, scene.provider.admin, scene.referral_id, "  Can we visit?  ")
    # then
    thread = await _thread(client, scene.caseworker, scene.referral_id, scene.provider.id)
    assert thread is not None
    assert thread["provider"]["name"] == "Acorn Care"
    assert thread["referral"]["id"] == scene.referral_id
    assert [m["id"] for m in thread["messages"]] == [sent["id"]]
    assert thread["messages"][0]["body"] == "Can we visit?"
    assert thread["messages"][0]["author"]["id"] == scene.provider.admin.id


async def test_the_la_writes_to_the_provider_it_names(scene: Scene, client: GraphQLClient) -> None:
    # when
    sent = await _sent(
        client, scene.caseworker, scene.referral_id, "Any questions?", providerId=scene.provider.id
    )
    # then
    mine = await _thread(client, scene.provider.admin, scene.referral_id)
    assert mine is not None and [m["id"] for m in mine["messages"]] == [sent["id"]]
    assert await _thread(client, scene.outsider.admin, scene.referral_id) is None


async def test_there_is_no_thread_before_the_first_message(
    scene: Scene, client: GraphQLClient
) -> None:
    # then
    assert await _thread(client, scene.provider.admin, scene.referral_id) is None
    assert await _thread(client, scene.caseworker, scene.referral_id, scene.provider.id) is None


async def test_both_sides_write_in_one_thread_oldest_first(
    scene: Scene, client: GraphQLClient
) -> None:
    # given
    first = await _sent(client, scene.provider.admin, scene.referral_id, "first")
    second = await _sent(
        client, scene.caseworker, scene.referral_id, "second", providerId=scene.provider.id
    )
    third = await _sent(client, scene.provider_user, scene.referral_id, "third")
    # when
    thread = await _thread(client, scene.caseworker, scene.referral_id, scene.provider.id)
    # then
    assert thread is not None
    assert [m["id"] for m in thread["messages"]] == [first["id"], second["id"], third["id"]]


async def test_two_first_messages_at_once_make_one_thread(
    scene: Scene, client: GraphQLClient
) -> None:
    # when
    await asyncio.gather(
        _sent(client, scene.provider.admin, scene.referral_id, "from the provider"),
        _sent(
            client, scene.caseworker, scene.referral_id, "from the LA", providerId=scene.provider.id
        ),
    )
    # then
    thread = await _thread(client, scene.caseworker, scene.referral_id, scene.provider.id)
    assert thread is not None
    assert sorted(m["body"] for m in thread["messages"]) == ["from the LA", "from the provider"]


async def test_a_provider_may_name_itself_but_no_other_provider(
    scene: Scene, client: GraphQLClient
) -> None:
    # when
    own = await _send(client, scene.provider.admin, scene.referral_id, providerId=scene.provider.id)
    other = await _send(
        client, scene.provider.admin, scene.referral_id, providerId=scene.outsider.id
    )
    # then
    assert own["userErrors"] == []
    assert other["userErrors"][0]["code"] == "NOT_FOUND"
    assert await _thread(client, scene.outsider.admin, scene.referral_id) is None


async def test_messages_are_allowed_on_a_withdrawn_referral(
    scene: Scene, client: GraphQLClient
) -> None:
    # given
    await client.data(WITHDRAW, {"id": scene.referral_id}, token=scene.caseworker.token)
    # when
    sent = await _send(client, scene.provider.admin, scene.referral_id, "Noted, thank you.")
    # then
    assert sent["userErrors"] == []


async def test_an_la_api_token_writes_as_the_person_who_created_it(
    scene: Scene, client: GraphQLClient
) -> None:
    # given
    token = (await client.data(CREATE_API_TOKEN, token=scene.la_admin.token))["createApiToken"]
    system = Person(
        scene.la_admin.user_id, scene.la_admin.organisation_id, "", token=token["token"]
    )
    # when
    sent = await _sent(
        client, system, scene.referral_id, "From Mosaic", providerId=scene.provider.id
    )
    # then
    assert sent["author"]["id"] == scene.la_admin.id
    thread = await _thread(client, scene.provider.admin, scene.referral_id)
    assert thread is not None and thread["messages"][0]["isNew"] is True


# ---------------------------------------------------------------- isNew and newCount


async def test_a_message_is_new_for_each_recipient_until_that_person_reads_the_thread(
    scene: Scene, client: GraphQLClient
) -> None:
    # given: two people on the LA side
    await _sent(client, scene.provider.admin, scene.referral_id, "one")
    await _sent(client, scene.provider.admin, scene.referral_id, "two")
    thread = await _thread(client, scene.caseworker, scene.referral_id, scene.provider.id)
    assert thread is not None
    assert thread["newCount"] == 2
    assert [m["isNew"] for m in thread["messages"]] == [True, True]
    # when the caseworker reads it
    marked = await _mark_read(client, scene.caseworker, thread["id"])
    # then it is read for the caseworker, still new for the LA admin
    assert marked["userErrors"] == []
    assert marked["thread"]["newCount"] == 0
    assert [m["isNew"] for m in marked["thread"]["messages"]] == [False, False]
    admin_view = await _thread(client, scene.la_admin, scene.referral_id, scene.provider.id)
    assert admin_view is not None
    assert admin_view["newCount"] == 2
    assert [m["isNew"] for m in admin_view["messages"]] == [True, True]


async def test_a_message_after_reading_is_new_again(scene: Scene, client: GraphQLClient) -> None:
    # given
    await _sent(client, scene.caseworker, scene.referral_id, "one", providerId=scene.provider.id)
    thread = await _thread(client, scene.provider_user, scene.referral_id)
    assert thread is not None
    await _mark_read(client, scene.provider_user, thread["id"])
    # when
    await _sent(client, scene.caseworker, scene.referral_id, "two", providerId=scene.provider.id)
    # then
    again = await _thread(client, scene.provider_user, scene.referral_id)
    assert again is not None
    assert again["newCount"] == 1
    assert [m["isNew"] for m in again["messages"]] == [False, True]


async def test_the_sender_side_never_sees_whether_a_message_was_read(
    scene: Scene, client: GraphQLClient
) -> None:
    # given: the provider admin writes; the provider's other user is on the sender's side
    sent = await _sent(client, scene.provider.admin, scene.referral_id, "Can we visit?")
    assert sent["isNew"] is False
    for person in (scene.provider.admin, scene.provider_user):
        before = await _thread(client, person, scene.referral_id)
        assert before is not None
        assert (before["newCount"], before["messages"][0]["isNew"]) == (0, False)
    # when the LA reads it
    await _mark_read(client, scene.caseworker, before["id"])
    # then nothing changes for the sender's side
    after = await _thread(client, scene.provider.admin, scene.referral_id)
    assert after is not None
    assert (after["newCount"], after["messages"][0]["isNew"]) == (0, False)


# ---------------------------------------------------------------- who may see and write


async def test_an_outsider_provider_cannot_read_the_thread(
    scene: Scene, client: GraphQLClient
) -> None:
    # given: the outsider received the same referral
    sent = await _sent(client, scene.provider.admin, scene.referral_id, "Private to the LA")
    thread = await _thread(client, scene.caseworker, scene.referral_id, scene.provider.id)
    assert thread is not None
    outsider = scene.outsider.admin
    # when
    own = await _thread(client, outsider, scene.referral_id)
    named = await _thread(client, outsider, scene.referral_id, scene.provider.id)
    by_thread = await client.data(NODE, {"id": thread["id"]}, token=outsider.token)
    by_message = await client.data(NODE, {"id": sent["id"]}, token=outsider.token)
    # then
    assert own is None and named is None
    assert by_thread["node"] is None and by_message["node"] is None


async def test_the_parties_resolve_the_thread_and_its_messages_by_id(
    scene: Scene, client: GraphQLClient
) -> None:
    # given
    sent = await _sent(client, scene.provider.admin, scene.referral_id, "Hello")
    thread = await _thread(client, scene.caseworker, scene.referral_id, scene.provider.id)
    assert thread is not None
    # when
    by_thread = await client.data(NODE, {"id": thread["id"]}, token=scene.provider_user.token)
    by_message = await client.data(NODE, {"id": sent["id"]}, token=scene.caseworker.token)
    # then
    assert by_thread["node"]["messages"] == [{"body": "Hello"}]
    assert by_message["node"] == {"id": sent["id"], "body": "Hello", "isNew": True}


@pytest.mark.parametrize("who", ["la_signatory", "other_la", "provider_signatory"])
async def test_people_who_are_not_parties_do_not_see_the_thread(
    scene: Scene, client: GraphQLClient, people, who: str
) -> None:
    # given
    await _sent(client, scene.provider.admin, scene.referral_id, "Hello")
    thread = await _thread(client, scene.caseworker, scene.referral_id, scene.provider.id)
    assert thread is not None
    if who == "la_signatory":
        person = await people.signed_in(scene.la_id, Role.LA_SIGNATORY)
    elif who == "other_la":
        person = await people.caseworker(await people.local_authority("Coventry", "COV"))
    else:
        person = await people.signed_in(scene.provider.organisation_id, Role.PROVIDER_SIGNATORY)
    # when
    data = await client.data(NODE, {"id": thread["id"]}, token=person.token)
    # then
    assert data["node"] is None


async def test_an_outsider_provider_cannot_write_in_the_thread(
    scene: Scene, client: GraphQLClient
) -> None:
    # given
    await _sent(client, scene.provider.admin, scene.referral_id, "Hello")
    thread = await _thread(client, scene.caseworker, scene.referral_id, scene.provider.id)
    assert thread is not None
    # when
    written = await _send(
        client, scene.outsider.admin, scene.referral_id, "Me too", providerId=scene.provider.id
    )
    marked = await _mark_read(client, scene.outsider.admin, thread["id"])
    # then
    assert [e["code"] for e in written["userErrors"]] == ["NOT_FOUND"]
    assert [e["code"] for e in marked["userErrors"]] == ["NOT_FOUND"]
    after = await _thread(client, scene.caseworker, scene.referral_id, scene.provider.id)
    assert after is not None and len(after["messages"]) == 1


async def test_a_provider_that_did_not_receive_the_referral_cannot_write(
    scene: Scene, client: GraphQLClient
) -> None:
    # when
    written = await _send(client, scene.stranger.admin, scene.referral_id, "Hello?")
    # then
    assert written["userErrors"] == [
        {
            "field": ["input", "referralId"],
            "message": "No referral with this id was found.",
            "code": "NOT_FOUND",
        }
    ]


async def test_another_la_cannot_write_about_the_referral(
    scene: Scene, client: GraphQLClient, people
) -> None:
    # given
    coventry = await people.caseworker(await people.local_authority("Coventry", "COV"))
    # when
    written = await _send(client, coventry, scene.referral_id, "Hi", providerId=scene.provider.id)
    # then
    assert [(e["field"], e["code"]) for e in written["userErrors"]] == [
        (["input", "referralId"], "NOT_FOUND")
    ]


async def test_the_la_must_name_a_provider(scene: Scene, client: GraphQLClient) -> None:
    # when
    written = await _send(client, scene.caseworker, scene.referral_id, "To whom?")
    # then
    [error] = written["userErrors"]
    assert (error["field"], error["code"]) == (["input", "providerId"], "INVALID")


async def test_the_la_must_name_a_provider_that_received_the_referral(
    scene: Scene, client: GraphQLClient
) -> None:
    # when
    written = await _send(
        client, scene.caseworker, scene.referral_id, "Hi", providerId=scene.stranger.id
    )
    # then
    [error] = written["userErrors"]
    assert (error["field"], error["code"]) == (["input", "providerId"], "NOT_FOUND")
    assert "did not receive" in error["message"]


# ---------------------------------------------------------------- the body


@pytest.mark.parametrize("body", ["", "   \n\t "], ids=["empty", "blank"])
async def test_a_message_needs_a_body(scene: Scene, client: GraphQLClient, body: str) -> None:
    # when
    written = await _send(client, scene.provider.admin, scene.referral_id, body)
    # then
    [error] = written["userErrors"]
    assert (error["field"], error["code"]) == (["input", "body"], "INVALID")
    assert await _thread(client, scene.provider.admin, scene.referral_id) is None


async def test_a_body_is_bounded_in_length(scene: Scene, client: GraphQLClient) -> None:
    # when
    longest = await _send(client, scene.provider.admin, scene.referral_id, "x" * MAX_BODY)
    too_long = await _send(client, scene.provider.admin, scene.referral_id, "x" * (MAX_BODY + 1))
    # then
    assert longest["userErrors"] == []
    [error] = too_long["userErrors"]
    assert (error["field"], error["code"]) == (["input", "body"], "INVALID")
    assert "10,000" in error["message"]


# ---------------------------------------------------------------- notifications


async def _told(db, kind: str = "MESSAGE_RECEIVED") -> set:
    async with db.session() as session:
        return set(
            await session.scalars(select(Notification.user_id).where(Notification.kind == kind))
        )


async def _emailed(db) -> set:
    async with db.session() as session:
        return set(
            await session.scalars(
                select(OutboxEmail.user_id).where(OutboxEmail.kind == "MESSAGE_RECEIVED")
            )
        )


async def test_a_provider_message_notifies_exactly_the_la_staff(
    scene: Scene, client: GraphQLClient, people, db
) -> None:
    # given: an LA signatory (who does not handle referrals) and a provider signatory
    await people.account(scene.la_id, Role.LA_SIGNATORY)
    await people.account(scene.provider.organisation_id, Role.PROVIDER_SIGNATORY)
    # when
    await _sent(client, scene.provider.admin, scene.referral_id, "Can we visit?")
    # then
    staff = {scene.caseworker.user_id, scene.la_admin.user_id}
    assert await _told(db) == staff
    assert await _emailed(db) == staff


async def test_an_la_message_notifies_exactly_the_providers_staff(
    scene: Scene, client: GraphQLClient, people, db
) -> None:
    # given
    await people.account(scene.provider.organisation_id, Role.PROVIDER_SIGNATORY)
    # when
    await _sent(client, scene.caseworker, scene.referral_id, "Hi", providerId=scene.provider.id)
    # then
    staff = {scene.provider.admin.user_id, scene.provider_user.user_id}
    assert await _told(db) == staff
    assert await _emailed(db) == staff


async def test_the_notification_is_about_the_thread(scene: Scene, client: GraphQLClient) -> None:
    # given
    await _sent(client, scene.provider.admin, scene.referral_id, "Can we visit?")
    thread = await _thread(client, scene.caseworker, scene.referral_id, scene.provider.id)
    assert thread is not None
    # when
    data = await client.data(
        "{ notifications(first: 5) { edges { node { kind message subjectId } } } }",
        token=scene.caseworker.token,
    )
    # then
    [edge] = [e for e in data["notifications"]["edges"] if e["node"]["kind"] == "MESSAGE_RECEIVED"]
    assert edge["node"]["subjectId"] == thread["id"]
    assert "Acorn Care" in edge["node"]["message"]

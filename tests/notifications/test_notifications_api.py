"""The notifications connection, markNotificationsRead, node and email preferences."""

from __future__ import annotations

from sqlalchemy import func, select

from core.identity.roles import OrganisationKind, Role
from core.models import Notification, OutboxEmail
from core.notifications.kinds import NotificationKind
from core.notifications.service import Subject
from schema.node import encode_id
from tests.notifications.helpers import notify_users

NOTIFICATIONS = """
query ($first: Int, $after: String, $unreadOnly: Boolean) {
  notifications(first: $first, after: $after, unreadOnly: $unreadOnly) {
    totalCount
    edges { cursor node { id kind message subjectId readAt } }
    pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
  }
}"""
MARK_READ = """
mutation ($input: MarkNotificationsReadInput!) {
  markNotificationsRead(input: $input) { updatedCount userErrors { field message code } }
}"""
SET_PREFERENCES = """
mutation ($input: SetEmailPreferencesInput!) {
  setEmailPreferences(input: $input) { user { id emailDisabledKinds } userErrors { field message code } }
}"""
NODE = "query ($id: ID!) { node(id: $id) { id ... on Notification { kind message } } }"
VIEWER_KINDS = "{ viewer { emailDisabledKinds } }"


async def _person(people, role=Role.PROVIDER_ADMIN):  # type: ignore[no-untyped-def]
    provider = await people.organisation(OrganisationKind.PROVIDER)
    return await people.signed_in(provider, role)


async def test_notifications_are_paged_newest_first_with_a_total(people, db, settings, client):
    # given
    person = await _person(people)
    for i in range(5):
        await notify_users(db, settings, person.user_id, message=f"event {i}")
    # when
    first = (await client.data(NOTIFICATIONS, {"first": 2}, token=person.token))["notifications"]
    second = (
        await client.data(
            NOTIFICATIONS, {"first": 2, "after": first["pageInfo"]["endCursor"]}, token=person.token
        )
    )["notifications"]
    third = (
        await client.data(
            NOTIFICATIONS,
            {"first": 2, "after": second["pageInfo"]["endCursor"]},
            token=person.token,
        )
    )["notifications"]
    # then
    messages = [e["node"]["message"] for p in (first, second, third) for e in p["edges"]]
    assert messages == ["event 4", "event 3", "event 2", "event 1", "event 0"]
    assert first["totalCount"] == 5
    assert first["pageInfo"]["hasNextPage"] and second["pageInfo"]["hasNextPage"]
    assert not third["pageInfo"]["hasNextPage"]
    assert not first["pageInfo"]["hasPreviousPage"] and second["pageInfo"]["hasPreviousPage"]


async def test_notifications_in_one_event_page_without_gaps_or_repeats(
    people, db, settings, client
):
    # given: notifications created in one unit of work share a created_at
    person = await _person(people)
    async with db.transaction() as session:
        from core.notifications.service import notify

        for i in range(4):
            await notify(
                session,
                settings,
                recipients=[person.user_id],
                kind=NotificationKind.REMINDER,
                message=f"same time {i}",
            )
    # when
    seen, after = [], None
    while True:
        page = (await client.data(NOTIFICATIONS, {"first": 1, "after": after}, token=person.token))[
            "notifications"
        ]
        seen += [e["node"]["id"] for e in page["edges"]]
        if not page["pageInfo"]["hasNextPage"]:
            break
        after = page["pageInfo"]["endCursor"]
    # then
    assert len(seen) == len(set(seen)) == 4


async def test_first_is_capped_at_100(people, db, settings, client):
    # given
    person = await _person(people)
    async with db.transaction() as session:
        for i in range(101):
            session.add(Notification(user_id=person.user_id, kind="REMINDER", message=f"n{i}"))
    # when
    page = (await client.data(NOTIFICATIONS, {"first": 500}, token=person.token))["notifications"]
    # then
    assert len(page["edges"]) == 100
    assert page["pageInfo"]["hasNextPage"]
    assert page["totalCount"] == 101


async def test_unread_only_lists_and_counts_unread_ones(people, db, settings, client):
    # given
    person = await _person(people)
    ids = [
        (await notify_users(db, settings, person.user_id, message=f"event {i}"))[0]
        for i in range(3)
    ]
    await client.data(
        MARK_READ, {"input": {"ids": [encode_id("Notification", ids[0])]}}, token=person.token
    )
    # when
    page = (await client.data(NOTIFICATIONS, {"unreadOnly": True}, token=person.token))[
        "notifications"
    ]
    # then
    assert [e["node"]["message"] for e in page["edges"]] == ["event 2", "event 1"]
    assert page["totalCount"] == 2


async def test_a_viewer_sees_only_their_own_notifications(people, db, settings, client):
    # given
    mine, theirs = await _person(people), await _person(people)
    await notify_users(db, settings, theirs.user_id, message="not for you")
    # when
    page = (await client.data(NOTIFICATIONS, {}, token=mine.token))["notifications"]
    nobody = (await client.data(NOTIFICATIONS, {}, token=""))["notifications"]
    # then
    assert page["edges"] == [] and page["totalCount"] == 0
    assert nobody["edges"] == [] and nobody["totalCount"] == 0


async def test_subject_id_is_the_global_id_of_what_it_is_about(people, db, settings, client):
    # given
    person = await _person(people)
    document_id = person.organisation_id  # any key: the subject is only encoded
    await notify_users(db, settings, person.user_id, subject=Subject("Document", document_id))
    # when
    page = (await client.data(NOTIFICATIONS, {}, token=person.token))["notifications"]
    # then
    assert page["edges"][0]["node"]["subjectId"] == encode_id("Document", document_id)


async def test_a_bad_cursor_is_a_clear_error(people, client):
    # given
    person = await _person(people)
    # when
    body = await client.execute(NOTIFICATIONS, {"after": "nonsense"}, token=person.token)
    # then
    assert "not a cursor" in body["errors"][0]["message"]


async def test_mark_read_by_ids_counts_only_the_viewers_unread_ones(people, db, settings, client):
    # given
    mine, theirs = await _person(people), await _person(people)
    my_ids = [(await notify_users(db, settings, mine.user_id))[0] for _ in range(2)]
    their_id = (await notify_users(db, settings, theirs.user_id))[0]
    ids = [encode_id("Notification", k) for k in [*my_ids, their_id]]
    # when
    first = (await client.data(MARK_READ, {"input": {"ids": ids}}, token=mine.token))[
        "markNotificationsRead"
    ]
    again = (await client.data(MARK_READ, {"input": {"ids": ids}}, token=mine.token))[
        "markNotificationsRead"
    ]
    # then
    assert first == {"updatedCount": 2, "userErrors": []}
    assert again["updatedCount"] == 0
    async with db.session() as session:
        unread = await session.scalar(
            select(func.count()).where(Notification.id == their_id, Notification.read_at.is_(None))
        )
    assert unread == 1


async def test_mark_read_all_marks_every_unread_notification(people, db, settings, client):
    # given
    person = await _person(people)
    for _ in range(3):
        await notify_users(db, settings, person.user_id)
    # when
    result = (await client.data(MARK_READ, {"input": {"all": True}}, token=person.token))[
        "markNotificationsRead"
    ]
    # then
    assert result["updatedCount"] == 3
    page = (await client.data(NOTIFICATIONS, {"unreadOnly": True}, token=person.token))[
        "notifications"
    ]
    assert page["totalCount"] == 0


async def test_mark_read_with_neither_ids_nor_all_says_what_to_give(people, client):
    # given
    person = await _person(people)
    # when
    result = (await client.data(MARK_READ, {"input": {}}, token=person.token))[
        "markNotificationsRead"
    ]
    # then
    assert result["updatedCount"] == 0
    assert result["userErrors"][0]["field"] == ["input", "ids"]
    assert "ids" in result["userErrors"][0]["message"]


async def test_a_notification_is_a_node_only_for_its_owner(people, db, settings, client):
    # given
    mine, theirs = await _person(people), await _person(people)
    key = (await notify_users(db, settings, mine.user_id, message="hello"))[0]
    global_id = encode_id("Notification", key)
    # when
    own = (await client.data(NODE, {"id": global_id}, token=mine.token))["node"]
    other = (await client.data(NODE, {"id": global_id}, token=theirs.token))["node"]
    # then
    assert own == {"id": global_id, "kind": "OFFER_RECEIVED", "message": "hello"}
    assert other is None


async def test_an_opted_out_kind_is_not_emailed_but_still_notified(people, db, settings, client):
    # given
    person = await _person(people)
    preferences = (
        await client.data(
            SET_PREFERENCES, {"input": {"disabledKinds": ["OFFER_RECEIVED"]}}, token=person.token
        )
    )["setEmailPreferences"]
    # when
    await notify_users(db, settings, person.user_id, kind=NotificationKind.OFFER_RECEIVED)
    await notify_users(db, settings, person.user_id, kind=NotificationKind.OFFER_ACCEPTED)
    # then
    assert preferences["user"]["emailDisabledKinds"] == ["OFFER_RECEIVED"]
    page = (await client.data(NOTIFICATIONS, {}, token=person.token))["notifications"]
    assert sorted(e["node"]["kind"] for e in page["edges"]) == ["OFFER_ACCEPTED", "OFFER_RECEIVED"]
    async with db.session() as session:
        kinds = list(
            await session.scalars(
                select(OutboxEmail.kind).where(OutboxEmail.user_id == person.user_id)
            )
        )
    assert kinds == ["OFFER_ACCEPTED"]


async def test_email_preferences_list_each_kind_once(people, client):
    # given
    person = await _person(people)
    await client.data(
        SET_PREFERENCES, {"input": {"disabledKinds": ["REMINDER", "REMINDER"]}}, token=person.token
    )
    # when
    own = (await client.data(VIEWER_KINDS, token=person.token))["viewer"]
    # then
    assert own["emailDisabledKinds"] == ["REMINDER"]

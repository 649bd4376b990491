"""A page of referrals and its count, run at the driver on PostgreSQL (``core.db.DriverSelect``):
the same rows, the same answers and the same statements as SQLAlchemy's way. (On SQLite both
ways are SQLAlchemy's: the tests then check the fallback.)"""

from datetime import timedelta
from typing import Any

import orjson
import pytest
from sqlalchemy.ext.asyncio import AsyncConnection

from core.db import Database, DriverSelect
from core.identity.authenticate import authenticate
from core.identity.viewer import Viewer
from core.querycount import count_queries
from core.referrals import queries
from tests.people import People
from tests.referrals.homes import HomeSpec, provider_with_homes
from tests.referrals.operations import CREATE, DECLINE, SEND, UPDATE, referral_input

LIST = """
query ($first: Int, $after: String, $status: ReferralStatus) {
  referrals(first: $first, after: $after, status: $status) {
    totalCount
    pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
    edges { cursor node { id reference category status urgency summary postcode requiredFrom
                          version createdAt sentAt respondBy children { age gender needs }
                          myDelivery { status version deliveredAt declineReason } } }
  }
}"""


async def _the_ordinary_way(self: DriverSelect, connection: Any, parameters: dict) -> Any:
    return (await connection.execute(self.statement, parameters)).all()


async def _world(people: People, la: Any, client: Any) -> tuple[Viewer, Viewer, Any, Any]:
    """Four referrals sent to a provider (one changed since, one declined) and a draft."""
    provider = await provider_with_homes(people, HomeSpec())
    token = la.caseworker.token
    ids = []
    for n in range(4):
        created = await client.data(CREATE, referral_input(postcode=f"B{n} 1AA"), token=token)
        ids.append(created["createReferral"]["referral"]["id"])
        await client.data(SEND, {"id": ids[-1]}, token=token)
    await client.data(CREATE, referral_input(), token=token)
    changed = await client.data(
        UPDATE, {"input": {"id": ids[1], "summary": "Now needs Solihull."}}, token=token
    )
    assert changed["updateReferral"]["userErrors"] == []
    declined = await client.data(
        DECLINE, {"id": ids[2], "reason": "No room."}, token=provider.admin.token
    )
    assert declined["declineReferral"]["userErrors"] == []
    viewers = []
    for person in (la.caseworker, provider.admin):
        viewer = await authenticate(people.db, person.token, None, idle=timedelta(hours=1))
        assert viewer is not None
        viewers.append(viewer)
    return viewers[0], viewers[1], la.caseworker, provider.admin


async def _not_at_the_driver(*_: object, **__: object) -> None:
    raise AssertionError("read the ordinary way")


def _typed(value: Any) -> Any:
    """``value`` with the type of every part: equal values of other types must not pass."""
    if isinstance(value, tuple | list):
        return (type(value), [_typed(v) for v in value])
    if isinstance(value, dict):
        return (type(value), [(k, _typed(v)) for k, v in value.items()])
    return (type(value), value)


async def _read(db: Database, viewer: Viewer, **arguments: Any) -> tuple[Any, int, list[str]]:
    with count_queries() as counted:
        async with db.request_scope():
            async with db.connection() as connection:
                page = await queries.referral_page(connection, viewer, **arguments)
            filters = {"status": arguments["status"], "category": arguments["category"]}
            async with db.connection() as connection:
                total = await queries.referral_count(connection, viewer, **filters)
    rows = [(r.referral, r.delivery, r.snapshot) for r in page.rows]
    return (_typed(rows), page.has_next), total, counted.statements


async def test_the_driver_reads_the_pages_sqlalchemy_reads(
    db: Database, people: People, la: Any, client: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    # given an LA's referrals, delivered to a provider, one changed since and one declined
    la_viewer, provider_viewer, _, _ = await _world(people, la, client)
    cases: list[tuple[Viewer, dict[str, Any]]] = []
    for viewer in (la_viewer, provider_viewer):
        everything = {"status": None, "category": None, "first": 50, "after": None}
        async with db.connection() as connection:
            two = await queries.referral_page(connection, viewer, **{**everything, "first": 2})
        last = two.rows[-1].referral
        cases += [
            (viewer, everything),
            (viewer, {**everything, "first": 2}),
            (viewer, {**everything, "first": 2, "after": (last.created_at, last.id)}),
            (viewer, {**everything, "status": "SENT", "category": "RESIDENTIAL"}),
            (viewer, {**everything, "first": 0}),
        ]
    # when each is read at the driver (on PostgreSQL SQLAlchemy executes nothing), then the
    # ordinary way
    if db.engine.dialect.name == "postgresql":
        monkeypatch.setattr(AsyncConnection, "execute", _not_at_the_driver)
    at_driver = [await _read(db, viewer, **arguments) for viewer, arguments in cases]
    monkeypatch.undo()
    monkeypatch.setattr(DriverSelect, "all", _the_ordinary_way)
    ordinary = [await _read(db, viewer, **arguments) for viewer, arguments in cases]
    # then the rows (and the types of their values), the counts and the statements are the same
    assert at_driver == ordinary
    sizes = [len(rows[1]) for (rows, _), _, _ in at_driver]
    assert sizes[:3] + sizes[5:8] == [5, 2, 2, 4, 2, 2]


async def _body(client: Any, token: str, variables: dict[str, Any]) -> bytes:
    response = await client.post(LIST, variables, token=token)
    assert response.status_code == 200
    return response.content


async def test_the_list_answers_the_same_at_the_driver(
    people: People, la: Any, client: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    # given an LA's referrals, delivered to a provider, one changed since and one declined
    _, _, caseworker, provider = await _world(people, la, client)
    requests: list[tuple[str, dict[str, Any]]] = []
    for person in (caseworker, provider):
        first = await client.data(LIST, {"first": 2}, token=person.token)
        after = first["referrals"]["pageInfo"]["endCursor"]
        requests += [
            (person.token, {"first": 50}),
            (person.token, {"first": 2}),
            (person.token, {"first": 2, "after": after}),
            (person.token, {"status": "SENT"}),
        ]
    # when the list is asked for at the driver, then the ordinary way
    at_driver = [await _body(client, t, variables) for t, variables in requests]
    monkeypatch.setattr(DriverSelect, "all", _the_ordinary_way)
    ordinary = [await _body(client, t, variables) for t, variables in requests]
    # then the answers are the same, byte for byte; the provider sees the version delivered
    assert at_driver == ordinary
    answers = [orjson.loads(body) for body in at_driver]
    assert all("errors" not in answer for answer in answers)
    summaries = [
        {edge["node"]["summary"] for edge in answer["data"]["referrals"]["edges"]}
        for answer in (answers[0], answers[4])
    ]
    assert "Now needs Solihull." in summaries[0]
    assert "Now needs Solihull." not in summaries[1]

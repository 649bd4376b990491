"""Authentication's statement, run at the driver on PostgreSQL (``core.db.DriverSelect``):
the same viewer as SQLAlchemy's way, counted as any other statement."""

from datetime import timedelta

import pytest
from sqlalchemy import update

from core.db import Database, DriverSelect
from core.identity.authenticate import authenticate
from core.identity.roles import OrganisationKind, Role
from core.models import UserSession
from core.models.base import utcnow
from core.querycount import count_queries
from tests.identity.world import World
from tests.people import People

IDLE = timedelta(hours=8)


async def _the_ordinary_way(self: DriverSelect, connection: object, parameters: dict) -> object:
    return (await connection.execute(self.statement, parameters)).all()  # type: ignore[attr-defined]


async def test_the_driver_reads_the_viewer_sqlalchemy_reads(
    db: Database, people: People, monkeypatch: pytest.MonkeyPatch
) -> None:
    # given a person with two roles, signed in
    la = await people.organisation(OrganisationKind.LOCAL_AUTHORITY)
    person = await people.signed_in(la, Role.LA_ADMIN, Role.LA_CASEWORKER)
    # when the session is read within a request, at the driver, then the ordinary way
    async with db.request_scope():
        with count_queries() as counted:
            at_driver = await authenticate(db, person.token, "10.0.0.1", idle=IDLE)
    monkeypatch.setattr(DriverSelect, "all", _the_ordinary_way)
    async with db.request_scope():
        ordinary = await authenticate(db, person.token, "10.0.0.1", idle=IDLE)
    # then both read the same viewer, and the statement was counted once
    assert at_driver is not None and at_driver == ordinary
    assert at_driver.roles == {Role.LA_ADMIN, Role.LA_CASEWORKER}
    assert counted.count == 1


async def test_an_ended_session_is_nobody_at_the_driver(db: Database, people: People) -> None:
    # given a session that was ended
    la = await people.organisation(OrganisationKind.LOCAL_AUTHORITY)
    person = await people.signed_in(la, Role.LA_CASEWORKER)
    async with db.request_scope():
        assert await authenticate(db, person.token, None, idle=IDLE) is not None
    async with db.transaction() as session:
        await session.execute(update(UserSession).values(ended_at=utcnow()))
    # when it is read again within a request
    async with db.request_scope():
        viewer = await authenticate(db, person.token, None, idle=IDLE)
    # then it signs nobody in
    assert viewer is None


async def test_an_api_token_reads_the_same_viewer_at_the_driver(
    db: Database, world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    # given an LA's API token, used a moment ago (its lastUsedAt is not written again)
    token = await world.token("api_token")
    await world.client.data("{ viewer { __typename } }", token=token)
    # when it is read within a request, at the driver, then the ordinary way
    async with db.request_scope():
        with count_queries() as counted:
            at_driver = await authenticate(db, token, "10.0.0.2", idle=IDLE)
    monkeypatch.setattr(DriverSelect, "all", _the_ordinary_way)
    async with db.request_scope():
        ordinary = await authenticate(db, token, "10.0.0.2", idle=IDLE)
    # then both read the same viewer, in one counted statement
    assert at_driver is not None and at_driver == ordinary
    assert at_driver.api_token_id is not None and at_driver.roles == {Role.LA_CASEWORKER}
    assert counted.count == 1

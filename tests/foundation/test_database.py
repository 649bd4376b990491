"""Migrations, the unit of work, timestamps, the statement counter and the pool."""

import asyncio
import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import event, func, select, text
from sqlalchemy.exc import DBAPIError

from core.db import Database, after_commit, create_engine
from core.migrate import pending_heads
from core.models import CategorySettings, SweepMark
from core.querycount import count_queries
from core.settings import Settings
from tests.graphql_client import GraphQLClient


async def test_migrations_leave_nothing_pending(database_url: str) -> None:
    assert await pending_heads(database_url) == []


async def test_a_unit_of_work_that_fails_saves_nothing(db: Database) -> None:
    ran = []

    class Boom(Exception):
        pass

    try:
        async with db.transaction() as session:
            session.add(CategorySettings(category="FOSTERING", settings={"localAreaOnly": True}))
            await session.flush()
            after_commit(session, lambda: _record(ran))
            raise Boom
    except Boom:
        pass
    async with db.session() as session:
        assert await session.scalar(select(func.count()).select_from(CategorySettings)) == 0
    assert ran == []


async def test_a_unit_of_work_commits_whole_then_runs_its_after_commit_callbacks(
    db: Database,
) -> None:
    ran = []
    async with db.transaction() as session:
        session.add(CategorySettings(category="FOSTERING", settings={"localAreaOnly": True}))
        after_commit(session, lambda: _record(ran))
    async with db.session() as session:
        assert await session.scalar(select(func.count()).select_from(CategorySettings)) == 1
    assert ran == ["done"]


async def _record(ran: list[str]) -> None:
    ran.append("done")


async def test_the_statement_counter_sees_the_statements_of_a_request(
    client: GraphQLClient,
) -> None:
    with count_queries() as counter:
        await client.data("{ categories { label settings } }")
    assert counter.count == 1
    assert "category_settings" in counter.statements[0]


async def test_timestamps_come_back_as_the_same_utc_instant(db: Database) -> None:
    moment = datetime(2026, 3, 2, 8, 0, 0, 1, tzinfo=UTC)
    async with db.transaction() as session:
        session.add(SweepMark(id=uuid.uuid4(), kind="TEST", key="a", created_at=moment))
    async with db.session() as session:
        stored = await session.scalar(select(SweepMark.created_at))
    assert stored == moment and stored.utcoffset() == timedelta(0)
    if db.is_sqlite:  # text written by other tools: with an offset, or without microseconds
        for text_value, expected in [
            ("2026-03-02T09:00:00+01:00", datetime(2026, 3, 2, 8, tzinfo=UTC)),
            ("2026-03-02 08:00:00", datetime(2026, 3, 2, 8, tzinfo=UTC)),
        ]:
            async with db.transaction() as session:
                await session.execute(
                    text("UPDATE sweep_marks SET created_at = :v"), {"v": text_value}
                )
            async with db.connection() as connection:
                read = await connection.scalar(select(SweepMark.created_at))
            assert read == expected and read.utcoffset() == timedelta(0)


@pytest.mark.postgres_only
async def test_a_pooled_connection_that_died_while_idle_is_replaced_before_use(
    settings: Settings,
) -> None:
    # given a pooled connection whose server process was ended while it sat idle
    db = Database(create_engine(settings.database_url, ping_after_idle_seconds=0))
    other = Database(create_engine(settings.database_url))
    try:
        async with db.connection() as connection:
            ended = await connection.scalar(text("SELECT pg_backend_pid()"))
        async with other.connection() as connection:
            await connection.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": ended})
        # when
        async with db.connection() as connection:
            serving = await connection.scalar(text("SELECT pg_backend_pid()"))
        # then: the request is served, by another connection
        assert serving is not None and serving != ended
    finally:
        await db.dispose()
        await other.dispose()


# ---------------------------------------------------------------- one connection per request


@pytest.fixture
async def one_connection_db(database_url: str) -> AsyncIterator[Database]:
    """A pool of exactly one connection: holding one aside while waiting for another would
    time out (after 2 s) instead of passing."""
    db = Database(create_engine(database_url, pool_size=1, max_overflow=0, pool_timeout=2))
    yield db
    await db.dispose()


async def test_a_requests_plain_reads_share_one_checkout_and_give_it_back(
    one_connection_db: Database,
) -> None:
    db = one_connection_db
    checkouts: list[object] = []
    pool = db.engine.sync_engine.pool
    event.listen(pool, "checkout", lambda *_: checkouts.append(1))
    async with db.request_scope():
        for _ in range(3):
            async with db.connection() as connection:
                assert (await connection.execute(text("SELECT 1"))).scalar() == 1
        assert pool.checkedout() == 1
    assert len(checkouts) == 1
    assert pool.checkedout() == 0


async def test_a_request_that_writes_gives_its_read_connection_back_first(
    one_connection_db: Database,
) -> None:
    db = one_connection_db
    async with db.request_scope():
        async with db.connection() as connection:
            await connection.execute(text("SELECT 1"))
        async with db.transaction() as session:
            session.add(CategorySettings(category="FOSTERING", settings={}))
        async with db.session() as session:
            assert await session.scalar(select(func.count()).select_from(CategorySettings))
        async with db.connection() as connection:
            count = select(func.count()).select_from(CategorySettings)
            assert (await connection.execute(count)).scalar() == 1
    assert db.engine.sync_engine.pool.checkedout() == 0


async def test_two_reads_at_once_in_a_request_each_get_a_connection(
    one_connection_db: Database,
) -> None:
    db = one_connection_db
    order: list[str] = []

    async def read(name: str, pause: float) -> None:
        async with db.connection() as connection:
            await connection.execute(text("SELECT 1"))
            await asyncio.sleep(pause)
            order.append(name)

    async with db.request_scope():
        # The second waits for the pool's only connection, which the first gives back
        # when it ends rather than keeping it for the request.
        await asyncio.gather(read("first", 0.2), read("second", 0))
    assert order == ["first", "second"]
    assert db.engine.sync_engine.pool.checkedout() == 0


async def test_a_failed_read_in_a_request_does_not_keep_its_connection(
    one_connection_db: Database,
) -> None:
    db = one_connection_db
    async with db.request_scope():
        with pytest.raises(DBAPIError):
            async with db.connection() as connection:
                await connection.execute(text("SELECT * FROM no_such_table"))
        async with db.connection() as connection:
            assert (await connection.execute(text("SELECT 1"))).scalar() == 1
    assert db.engine.sync_engine.pool.checkedout() == 0


@pytest.mark.postgres_only
async def test_a_requests_session_reads_on_its_connection_and_outlives_losing_it(
    settings: Settings,
) -> None:
    # given a request whose connection read once, then was ended by the server
    db = Database(create_engine(settings.database_url))
    other = Database(create_engine(settings.database_url))
    checkouts: list[object] = []
    event.listen(db.engine.sync_engine.pool, "checkout", lambda *_: checkouts.append(1))
    try:
        async with db.request_scope():
            async with db.connection() as connection:
                pid = await connection.scalar(text("SELECT pg_backend_pid()"))
            # when a session reads: on the request's connection, without a checkout of its own
            async with db.session() as session:
                assert await session.scalar(text("SELECT pg_backend_pid()")) == pid
            assert len(checkouts) == 1
            async with other.connection() as connection:
                await connection.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": pid})
            async with db.session() as session:
                serving = await session.scalar(text("SELECT pg_backend_pid()"))
        # then the read is served, by another connection, and none is left checked out
        assert serving is not None and serving != pid
        assert db.engine.sync_engine.pool.checkedout() == 0
    finally:
        await db.dispose()
        await other.dispose()

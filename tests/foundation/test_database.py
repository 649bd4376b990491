"""Migrations, the unit of work, timestamps and the statement counter."""

import uuid
from datetime import UTC, datetime, timedelta

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import func, select, text

from core.db import Database, after_commit, create_engine
from core.migrate import pending_heads
from core.models import Base, CategorySettings, SweepMark
from core.querycount import count_queries
from core.settings import Settings
from tests.graphql_client import GraphQLClient


async def test_migrations_leave_nothing_pending(database_url: str) -> None:
    assert await pending_heads(database_url) == []


async def test_the_migrations_create_exactly_the_models(db: Database) -> None:
    def diff(connection):
        context = MigrationContext.configure(connection, opts={"compare_type": False})
        return compare_metadata(context, Base.metadata)

    async with db.engine.connect() as connection:
        differences = await connection.run_sync(diff)
    assert differences == []


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

"""Migrations, the unit of work and the statement counter."""

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import func, select

from core.db import Database, after_commit
from core.migrate import pending_heads
from core.models import Base, CategorySettings
from core.querycount import count_queries
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

"""What the health endpoints ask of the database: does it answer, and at which migrations."""

from __future__ import annotations

from functools import cache

from sqlalchemy import text

from core.db import Database


async def database_answers(db: Database) -> None:
    """Run one trivial statement; raises what the driver raises when the database does not
    answer."""
    async with db.session() as session:
        await session.execute(text("SELECT 1"))


async def applied_migrations(db: Database) -> frozenset[str]:
    """The Alembic revisions the database says it is at."""
    async with db.connection() as connection:
        return frozenset(
            (await connection.execute(text("SELECT version_num FROM alembic_version"))).scalars()
        )


@cache
def migration_heads() -> frozenset[str]:
    """The revisions this code's migrations end at."""
    from alembic.script import ScriptDirectory

    from core.migrate import alembic_config

    return frozenset(ScriptDirectory.from_config(alembic_config()).get_heads())

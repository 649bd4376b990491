"""Alembic, driven from code: ``portal migrate`` and ``portal serve`` call :func:`upgrade`."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from core.db import create_engine

MIGRATIONS = Path(__file__).parent / "migrations"


def _migration_engine(database_url: str) -> AsyncEngine:
    """SQLite: foreign keys off while migrating. Alembic's batch mode changes a table on
    SQLite by copying it, dropping the old one and renaming the copy; with foreign keys on,
    dropping a table that other rows reference fails (a downgrade of a database with data),
    and the pragma cannot change inside the migration's transaction (Alembic's own advice)."""
    return create_engine(database_url, foreign_keys=False)


@asynccontextmanager
async def _writing(engine: AsyncEngine) -> AsyncIterator[AsyncConnection]:
    """A migration's transaction, taking SQLite's write lock when it begins (``BEGIN
    IMMEDIATE``, as the portal's units of work do): a migration reads before it writes, and a
    deferred transaction that wants to write while a running portal's writer holds the lock
    fails at once with "database is locked" (SQLite does not wait there: it would deadlock)."""
    async with engine.connect() as connection:
        await connection.execution_options(portal_write=True)
        async with connection.begin():
            yield connection


def alembic_config() -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    return config


def _upgrade(connection: Connection, revision: str) -> None:
    config = alembic_config()
    config.attributes["connection"] = connection
    command.upgrade(config, revision)


def _downgrade(connection: Connection, revision: str) -> None:
    config = alembic_config()
    config.attributes["connection"] = connection
    command.downgrade(config, revision)


def _pending(connection: Connection) -> list[str]:
    script = ScriptDirectory.from_config(alembic_config())
    current = set(MigrationContext.configure(connection).get_current_heads())
    heads = set(script.get_heads())
    return sorted(heads - current)


async def upgrade(database_url: str, revision: str = "head") -> None:
    """Apply every pending migration to the database at ``database_url``."""
    engine = _migration_engine(database_url)
    try:
        async with _writing(engine) as connection:
            await connection.run_sync(_upgrade, revision)
    finally:
        await engine.dispose()


async def downgrade(database_url: str, revision: str) -> None:
    """Undo migrations down to ``revision`` ("base" undoes them all): for the round-trip test
    and for an operator stepping back a release."""
    engine = _migration_engine(database_url)
    try:
        async with _writing(engine) as connection:
            await connection.run_sync(_downgrade, revision)
    finally:
        await engine.dispose()


async def pending_heads(database_url: str) -> list[str]:
    """Heads not yet applied (empty when the database is up to date)."""
    engine = create_engine(database_url)
    try:
        async with engine.connect() as connection:
            return await connection.run_sync(_pending)
    finally:
        await engine.dispose()

"""Migrations: a landed revision is never edited, the models match the migrations column type for
column type, and every revision can be undone and done again on both databases."""

import hashlib
import uuid
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import Connection, inspect, text
from sqlalchemy.engine import make_url

from core.db import Database, create_engine
from core.migrate import MIGRATIONS, downgrade, pending_heads, upgrade
from core.models import Base

VERSIONS = MIGRATIONS / "versions"
LANDED = Path(__file__).resolve().parents[1] / "landed_migrations.sha256"


def _landed() -> dict[str, str]:
    lines = [line.split() for line in LANDED.read_text().splitlines() if line.strip()]
    return {name: digest for digest, name in lines}


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_no_landed_migration_was_edited() -> None:
    edited = [
        name
        for name, digest in _landed().items()
        if not (VERSIONS / name).exists() or _digest(VERSIONS / name) != digest
    ]
    assert not edited, (
        f"landed migrations were edited or removed: {edited}. Never edit a landed migration: "
        "undo the edit and add a new revision instead."
    )


def test_every_migration_is_recorded_as_landed() -> None:
    unrecorded = sorted(
        p.name for p in VERSIONS.glob("*.py") if p.name not in _landed() and p.name[0].isdigit()
    )
    assert not unrecorded, (
        f"new migrations {unrecorded}: record each in tests/landed_migrations.sha256 "
        "(`sha256sum` format, file name only) so that it is never edited once it lands."
    )


def _differences(connection: Connection) -> list[object]:
    context = MigrationContext.configure(connection, opts={"compare_type": True})
    return compare_metadata(context, Base.metadata)


async def test_the_migrations_create_exactly_the_models_with_their_column_types(
    db: Database,
) -> None:
    async with db.engine.connect() as connection:
        differences = await connection.run_sync(_differences)
    assert differences == []


@pytest.fixture
async def unmigrated_database_url(database_url: str, tmp_path: Path) -> AsyncIterator[str]:
    """An empty database of the run's backend with no migration applied, dropped after."""
    url = make_url(database_url)
    if url.get_backend_name() != "postgresql":
        yield f"sqlite+aiosqlite:///{tmp_path / 'round_trip.db'}"
        return
    name = f"portal_round_trip_{uuid.uuid4().hex[:8]}"
    admin = create_engine(url.set(database="postgres").render_as_string(hide_password=False))
    try:
        async with admin.connect() as connection:
            await connection.execution_options(isolation_level="AUTOCOMMIT")
            await connection.execute(text(f'CREATE DATABASE "{name}"'))
        yield url.set(database=name).render_as_string(hide_password=False)
        async with admin.connect() as connection:
            await connection.execution_options(isolation_level="AUTOCOMMIT")
            await connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    finally:
        await admin.dispose()


def _tables(connection: Connection) -> set[str]:
    return set(inspect(connection).get_table_names()) - {"alembic_version"}


async def test_every_migration_can_be_undone_and_done_again(unmigrated_database_url: str) -> None:
    # given a database at head
    url = unmigrated_database_url
    await upgrade(url)
    # when every revision is undone, then done again
    await downgrade(url, "base")
    engine = create_engine(url)
    try:
        async with engine.connect() as connection:
            left_after_downgrade = await connection.run_sync(_tables)
    finally:
        await engine.dispose()
    await upgrade(url)
    # then nothing was left behind by the downgrade, and head is whole again
    assert left_after_downgrade == set()
    assert await pending_heads(url) == []
    engine = create_engine(url)
    try:
        async with engine.connect() as connection:
            assert await connection.run_sync(_differences) == []
    finally:
        await engine.dispose()

"""The request's connection on PostgreSQL: the pool's checkout itself while only statements
at the driver (``core.db.DriverSelect``) use it, SQLAlchemy's connection around it once
anything else does; reused, counted, given back (on error too), and replaced when lost."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator
from typing import Any

import pytest
from sqlalchemy import event, func, literal_column, select, text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncConnection
from sqlalchemy.util import greenlet_spawn

import core.db
from core.db import Database, DriverSelect, _ReadConnection, create_engine
from core.querycount import count_queries
from core.settings import Settings

PID = DriverSelect(select(func.pg_backend_pid()))
ONE = DriverSelect(select(literal_column("1")))


async def _pid(db: Database) -> int:
    async with db.connection() as connection:
        return int((await PID.all(connection, {}))[0][0])


@pytest.fixture
async def pg(settings: Settings) -> AsyncIterator[tuple[Database, Database]]:
    """A database, and another to end its connections from."""
    db = Database(create_engine(settings.database_url))
    other = Database(create_engine(settings.database_url))
    yield db, other
    await db.dispose()
    await other.dispose()


def _connects(db: Database) -> list[object]:
    """SQLAlchemy connections made on ``db`` (its ``engine_connect`` events)."""
    made: list[object] = []
    event.listen(db.engine.sync_engine, "engine_connect", lambda c: made.append(c))
    return made


@pytest.mark.postgres_only
async def test_driver_reads_share_the_checkout_and_a_statement_wraps_it_once(
    pg: tuple[Database, Database], monkeypatch: pytest.MonkeyPatch
) -> None:
    db, _ = pg
    pool = db.engine.sync_engine.pool
    checkouts: list[object] = []
    event.listen(pool, "checkout", lambda *_: checkouts.append(1))
    made = _connects(db)
    with count_queries() as counted:
        async with db.request_scope():
            # statements at the driver: on the one checkout, with no SQLAlchemy connection
            first, second = await _pid(db), await _pid(db)
            assert first == second and made == [] and pool.checkedout() == 1
            # a statement the ordinary way: SQLAlchemy's connection around the same
            # checkout, in autocommit as engine.connect() makes it
            async with db.connection() as connection:
                assert await connection.scalar(text("SELECT pg_backend_pid()")) == first
                raw = await connection.get_raw_connection()
                assert raw.dbapi_connection.autocommit
            assert len(made) == 1
            # then statements at the driver still go to the driver, on it
            monkeypatch.setattr(AsyncConnection, "execute", _not_the_ordinary_way)
            assert await _pid(db) == first
    assert len(checkouts) == 1 and len(made) == 1 and pool.checkedout() == 0
    assert counted.count == 4 and all("pg_backend_pid" in s for s in counted.statements)


async def _not_the_ordinary_way(*_: object, **__: object) -> None:
    raise AssertionError("read the ordinary way")


@pytest.mark.postgres_only
async def test_a_driver_read_on_a_connection_ended_under_it_runs_again_on_a_fresh_one(
    pg: tuple[Database, Database], caplog: pytest.LogCaptureFixture
) -> None:
    db, other = pg
    made = _connects(db)
    with caplog.at_level(logging.INFO), count_queries() as counted:
        async with db.request_scope():
            ended = await _pid(db)
            async with other.connection() as connection:
                await connection.execute(text("SELECT pg_terminate_backend(:p)"), {"p": ended})
            await asyncio.sleep(0.2)  # the event loop reads the server's goodbye
            # when the request reads at the driver again, on its (dead) connection
            serving = await _pid(db)
    # then the driver failed it, the ordinary way met the loss (logged once, the
    # connection invalidated) and ran it once more on a fresh connection
    assert serving != ended and len(made) == 2
    assert db.outage.outages == 1
    lost = [r for r in caplog.records if "lost the database connection" in r.getMessage()]
    assert len(lost) == 1 and not [r for r in caplog.records if r.levelno >= logging.ERROR]
    # counted as before: at the driver, then the ordinary way's two runs
    assert counted.count == 4
    # and nothing dead is left in the pool
    assert db.engine.sync_engine.pool.checkedout() == 0
    assert await _pid(db) != ended


@pytest.fixture
async def one_connection_db(database_url: str) -> AsyncIterator[Database]:
    db = Database(create_engine(database_url, pool_size=1, max_overflow=0, pool_timeout=2))
    yield db
    await db.dispose()


async def test_a_failed_driver_read_gives_the_requests_connection_back(
    one_connection_db: Database,
) -> None:
    db = one_connection_db
    failing = DriverSelect(select(func.no_such_function()))
    async with db.request_scope():
        assert (await _one(db)) == 1
        with pytest.raises(DBAPIError):
            async with db.connection() as connection:
                await failing.all(connection, {})
        assert db.engine.sync_engine.pool.checkedout() == 0
        assert (await _one(db)) == 1  # a pool of one: it was given back
    assert db.engine.sync_engine.pool.checkedout() == 0


async def _one(db: Database) -> int:
    async with db.connection() as connection:
        return int((await ONE.all(connection, {}))[0][0])


@pytest.mark.postgres_only
async def test_an_overflow_checkout_given_back_is_closed_by_the_pool(
    settings: Settings, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    db = Database(create_engine(settings.database_url, pool_size=1, max_overflow=1))
    at_once: list[bool] = []
    checks = core.db._checks_in_at_once

    def spied(fairy: Any) -> bool:
        at_once.append(checks(fairy))
        return at_once[-1]

    monkeypatch.setattr(core.db, "_checks_in_at_once", spied)

    async def read(pause: float) -> None:
        async with db.connection() as connection:
            await ONE.all(connection, {})
            await asyncio.sleep(pause)

    try:
        with caplog.at_level(logging.INFO):
            async with db.request_scope():
                # two reads at once: the request's checkout and an overflow one; the first
                # given back has room in the pool, the second is closed (it awaits the driver)
                await asyncio.gather(read(0.2), read(0))
        pool = db.engine.sync_engine.pool
        assert at_once == [True, False]
        assert pool.checkedout() == 0 and pool.checkedin() == 1  # type: ignore[attr-defined]
        assert not [r for r in caplog.records if r.levelno >= logging.ERROR]
        assert (await _one(db)) == 1
    finally:
        await db.dispose()


@pytest.mark.postgres_only
async def test_a_checkout_given_back_in_a_transaction_is_rolled_back(db: Database) -> None:
    connection = await _ReadConnection.checkout(db)
    fairy = connection._fairy
    adapter = fairy.dbapi_connection
    cursor = adapter.cursor()
    await greenlet_spawn(cursor.execute, "SELECT 1")  # the adapter begins a transaction
    assert adapter._transaction is not None and not core.db._checks_in_at_once(fairy)
    driver = fairy.driver_connection
    await connection.close()
    assert not driver.is_in_transaction() and db.engine.sync_engine.pool.checkedout() == 0

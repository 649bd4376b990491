"""A fresh, migrated database for one benchmark run: SQLite in a temp dir, or a new
PostgreSQL database (dropped after) when PORTAL_BENCH_DATABASE_URL names a server."""

from __future__ import annotations

import os
import tempfile
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from sqlalchemy import text
from sqlalchemy.engine import make_url

from core.db import Database, create_engine
from core.migrate import upgrade


@asynccontextmanager
async def fresh_database() -> AsyncIterator[str]:
    server = os.environ.get("PORTAL_BENCH_DATABASE_URL")
    if not server:
        url = f"sqlite+aiosqlite:///{tempfile.mkdtemp(prefix='portal-bench-')}/bench.db"
        await upgrade(url)
        yield url
        return
    name = f"portal_bench_{uuid.uuid4().hex[:8]}"
    admin = make_url(server).set(database="postgres").render_as_string(hide_password=False)
    url = make_url(server).set(database=name).render_as_string(hide_password=False)
    engine = create_engine(admin)
    async with engine.connect() as connection:
        await connection.execution_options(isolation_level="AUTOCOMMIT")
        await connection.execute(text(f'CREATE DATABASE "{name}"'))
    await engine.dispose()
    try:
        await upgrade(url)
        yield url
    finally:
        engine = create_engine(admin)
        async with engine.connect() as connection:
            await connection.execution_options(isolation_level="AUTOCOMMIT")
            await connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        await engine.dispose()


async def analyze(db: Database) -> None:
    """Give PostgreSQL's planner the statistics a live database has: a database seeded a
    moment ago has none until autovacuum gets round to it (about a minute, or never within
    a short run), and the plans, ours and the baselines', depend on whether it did.
    SQLite is left as the embedded default runs it (without ``ANALYZE``)."""
    if db.is_sqlite:
        return
    async with db.engine.connect() as connection:
        await connection.execution_options(isolation_level="AUTOCOMMIT")
        await connection.execute(text("ANALYZE"))

"""What checking pooled connections costs a request, on PostgreSQL: a single-statement read
(``Database.connection()``, what authentication does on every request) with

* ``none``: no check at checkout (as before issue 24, for connections used in the last 5 s);
* ``closed-flag``: asyncpg's ``is_closed()`` at every checkout (what the portal does now);
* ``ping``: a ping at every checkout (what SQLAlchemy's ``pool_pre_ping`` would do).

Alternated in rounds in one process, so the machine's load hits each alike.

    PORTAL_BENCH_DATABASE_URL=postgresql+asyncpg://postgres@127.0.0.1:5432/postgres python -m bench.checkout_cost
"""

from __future__ import annotations

import asyncio
import json
import os
import statistics
import time

from sqlalchemy import text

import core.db
from core.db import Database, create_engine, ping_every_checkout

READS = 2_000
ROUNDS = 7


async def timed_reads(db: Database) -> float:
    """Microseconds per read."""
    started = time.perf_counter()
    for _ in range(READS):
        async with db.connection() as connection:
            await connection.scalar(text("SELECT 1"))
    return (time.perf_counter() - started) / READS * 1e6


async def closed_flag_cost(db: Database) -> float:
    """Nanoseconds per call of the closed-flag check itself, on a live pooled connection
    (the rounds above measure whole reads, whose noise on a busy machine dwarfs it)."""
    async with db.engine.connect() as connection:
        raw = await connection.get_raw_connection()
        calls = 100_000
        started = time.perf_counter()
        for _ in range(calls):
            core.db._driver_says_closed(raw.dbapi_connection)
        return (time.perf_counter() - started) / calls * 1e9


async def main() -> None:
    url = os.environ.get("PORTAL_BENCH_DATABASE_URL")
    if not url:
        raise SystemExit("set PORTAL_BENCH_DATABASE_URL to a PostgreSQL server URL")
    db = Database(create_engine(url))
    checked = core.db._driver_says_closed
    results: dict[str, list[float]] = {"none": [], "closed-flag": [], "ping": []}
    try:
        await timed_reads(db)  # warm-up
        for _ in range(ROUNDS):
            core.db._driver_says_closed = lambda _connection: False  # type: ignore[assignment]
            results["none"].append(await timed_reads(db))
            core.db._driver_says_closed = checked
            results["closed-flag"].append(await timed_reads(db))
            with ping_every_checkout():
                results["ping"].append(await timed_reads(db))
        core.db._driver_says_closed = checked
        check_ns = await closed_flag_cost(db)
    finally:
        core.db._driver_says_closed = checked
        await db.dispose()
    medians = {name: round(statistics.median(values), 1) for name, values in results.items()}
    print(
        json.dumps(
            {
                "microseconds_per_read": medians,
                "closed_flag_check_ns": round(check_ns),
                "closed_flag_over_none": round(medians["closed-flag"] / medians["none"], 3),
                "ping_over_none": round(medians["ping"] / medians["none"], 3),
            },
            indent=2,
        )
    )


if __name__ == "__main__":
    asyncio.run(main())

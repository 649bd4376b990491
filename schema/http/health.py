"""Health endpoints for load balancers and orchestrators.

* ``GET /health``: 200 when the database answers, 503 otherwise (as it always was).
* ``GET /health/live``: the process answers (no dependency checked: restart it only if not).
* ``GET /health/ready``: send it traffic? The database answers, Redis answers when it is
  configured, and the database's migrations are at this code's head; each check has a short
  timeout, and any failure makes it 503 with the failing check named.
"""

from __future__ import annotations

import asyncio
import logging
from functools import cache

from sqlalchemy import text
from starlette.requests import Request
from starlette.responses import JSONResponse

from core.db import is_database_unavailable

logger = logging.getLogger(__name__)

DATABASE_TIMEOUT = 2.0
REDIS_TIMEOUT = 1.0


async def health(request: Request) -> JSONResponse:
    try:
        async with request.app.state.db.session() as session:
            await session.execute(text("SELECT 1"))
    except Exception as error:
        if is_database_unavailable(error):  # logged once by core.db.DatabaseOutage
            logger.debug("health check: the database does not answer: %s", error)
        else:
            logger.warning("health check: the database does not answer", exc_info=True)
        return JSONResponse({"status": "unavailable"}, status_code=503)
    return JSONResponse({"status": "ok"})


async def live(request: Request) -> JSONResponse:
    return JSONResponse({"status": "ok"})


@cache
def _migration_heads() -> frozenset[str]:
    from alembic.script import ScriptDirectory

    from core.migrate import alembic_config

    return frozenset(ScriptDirectory.from_config(alembic_config()).get_heads())


async def _database_and_migrations(request: Request) -> tuple[str, str]:
    async with request.app.state.db.connection() as connection:
        applied = set(
            (await connection.execute(text("SELECT version_num FROM alembic_version"))).scalars()
        )
    migrations = "ok" if applied == set(_migration_heads()) else "behind"
    return "ok", migrations


async def _redis(request: Request) -> str:
    client = request.app.state.readiness_redis
    await client.ping()
    return "ok"


async def ready(request: Request) -> JSONResponse:
    checks: dict[str, str] = {}
    try:
        checks["database"], checks["migrations"] = await asyncio.wait_for(
            _database_and_migrations(request), DATABASE_TIMEOUT
        )
    except Exception as error:
        logger.warning("readiness: the database does not answer: %s", type(error).__name__)
        checks["database"] = "unavailable"
        checks["migrations"] = "unknown"
    if request.app.state.settings.redis_url:
        try:
            checks["redis"] = await asyncio.wait_for(_redis(request), REDIS_TIMEOUT)
        except Exception as error:
            logger.warning("readiness: Redis does not answer: %s", type(error).__name__)
            checks["redis"] = "unavailable"
    ok = all(value == "ok" for value in checks.values())
    return JSONResponse(
        {"status": "ok" if ok else "unavailable", "checks": checks},
        status_code=200 if ok else 503,
    )

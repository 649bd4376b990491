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

from starlette.requests import Request
from starlette.responses import JSONResponse

from core.db import is_database_unavailable
from core.readiness import applied_migrations, database_answers, migration_heads

logger = logging.getLogger(__name__)

DATABASE_TIMEOUT = 2.0
REDIS_TIMEOUT = 1.0


async def health(request: Request) -> JSONResponse:
    try:
        await database_answers(request.app.state.db)
    except Exception as error:
        if is_database_unavailable(error):  # logged once by core.db.DatabaseOutage
            logger.debug("health check: the database does not answer: %s", error)
        else:
            logger.warning("health check: the database does not answer", exc_info=True)
        return JSONResponse({"status": "unavailable"}, status_code=503)
    return JSONResponse({"status": "ok"})


async def live(request: Request) -> JSONResponse:
    return JSONResponse({"status": "ok"})


async def _database_and_migrations(request: Request) -> tuple[str, str]:
    applied = await applied_migrations(request.app.state.db)
    migrations = "ok" if applied == migration_heads() else "behind"
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

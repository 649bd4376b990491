"""``GET /health``: 200 when the database answers, 503 otherwise."""

from __future__ import annotations

import logging

from sqlalchemy import text
from starlette.requests import Request
from starlette.responses import JSONResponse

from core.db import is_database_unavailable

logger = logging.getLogger(__name__)


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

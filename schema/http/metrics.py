"""``GET /metrics``: Prometheus text format, only for ``Authorization: Bearer
<PORTAL_METRICS_TOKEN>``; 404 when no token is configured, 401 for a wrong or missing one."""

from __future__ import annotations

import hmac
import logging

from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response

from core.observability import metrics

logger = logging.getLogger(__name__)


async def metrics_endpoint(request: Request) -> Response:
    token = request.app.state.settings.metrics_token
    if not token:
        return PlainTextResponse("Not Found", status_code=404)
    scheme, _, given = request.headers.get("authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not hmac.compare_digest(
        given.strip().encode(), token.encode()
    ):
        return PlainTextResponse(
            "Unauthorized", status_code=401, headers={"WWW-Authenticate": "Bearer"}
        )
    try:
        extra = await metrics.state_families(request.app.state.db, request.app.state.broker)
    except Exception as error:  # the database is away: report what this process knows
        logger.warning("metrics: backlogs not read: %s", type(error).__name__)
        extra = []
    return Response(metrics.exposition(extra), media_type=metrics.CONTENT_TYPE)

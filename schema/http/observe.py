"""One log line and the metrics of every request, under a request id.

The id is the proxy's ``X-Request-Id`` when it sent a sensible one, else a new one; it is
returned as ``X-Request-Id`` and bound to every log record written while the request runs
(so a masked error's line and the request's line carry the same id). The GraphQL view and
its extension fill in the operation name, the viewer and the outcome
(:func:`current_request`).
"""

from __future__ import annotations

import contextvars
import logging
import re
import time
import uuid
from dataclasses import dataclass, field
from typing import Any

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from core.observability import metrics
from core.observability.logs import bind_request_id, unbind_request_id

logger = logging.getLogger("portal.request")
errors_logger = logging.getLogger("portal.http")

_REQUEST_ID = re.compile(r"[A-Za-z0-9._:@/+=-]{1,128}")


@dataclass
class RequestRecord:
    """What is known of the request being answered; filled in as it runs."""

    id: str
    operation: str | None = None
    operation_type: str | None = None
    #: ok, errors (GraphQL errors in the response) or rejected (refused before running).
    outcome: str | None = None
    user_id: str | None = None
    organisation_id: str | None = None
    api_token_id: str | None = None
    error_ids: list[str] = field(default_factory=list)


_current: contextvars.ContextVar[RequestRecord | None] = contextvars.ContextVar(
    "portal_request", default=None
)


def current_request() -> RequestRecord | None:
    return _current.get()


def request_id_from(scope: Scope) -> str:
    for name, value in scope.get("headers", ()):
        if name == b"x-request-id":
            candidate = value.decode("latin-1").strip()
            if _REQUEST_ID.fullmatch(candidate):
                return candidate
            break
    return uuid.uuid4().hex


def unexpected_error_body(error_id: str) -> bytes:
    return (
        b'{"error":"Unexpected error (id '
        + error_id.encode()
        + b'). It has been logged; please quote the id."}'
    )


class RequestObserver:
    """ASGI middleware: request id in and out, one log line, request metrics; an unexpected
    exception becomes a 500 with an error id (logged with its traceback)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] not in ("http", "websocket"):
            await self.app(scope, receive, send)
            return
        record = RequestRecord(request_id_from(scope))
        token = _current.set(record)
        bound = bind_request_id(record.id)
        status = 0
        started = time.perf_counter()
        header = (b"x-request-id", record.id.encode())

        async def send_with_id(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                message["headers"] = [*message.get("headers", ()), header]
            await send(message)

        try:
            await self.app(scope, receive, send_with_id)
        except Exception as error:
            error_id = uuid.uuid4().hex[:12]
            record.error_ids.append(error_id)
            errors_logger.error(
                "unexpected error",
                exc_info=(type(error), error, error.__traceback__),
                extra={"error_id": error_id, "path": scope.get("path")},
            )
            if scope["type"] != "http" or status:
                raise  # a websocket, or a response already begun: nothing to answer with
            status = 500
            if _wants_page(scope):
                # A browser's page: the web client's 500 page, with this same reference.
                from starlette.requests import Request

                page = scope["app"].state.web.server_error_page(Request(scope), error_id)
                page.raw_headers.append(header)
                await page(scope, receive, send)
                return
            await send(
                {
                    "type": "http.response.start",
                    "status": 500,
                    "headers": [(b"content-type", b"application/json"), header],
                }
            )
            await send({"type": "http.response.body", "body": unexpected_error_body(error_id)})
        finally:
            duration = time.perf_counter() - started
            self._finish(scope, record, status, duration)
            unbind_request_id(bound)
            _current.reset(token)

    @staticmethod
    def _finish(scope: Scope, record: RequestRecord, status: int, duration: float) -> None:
        route_object = scope.get("route")
        route = getattr(route_object, "path", None) or "unmatched"
        method = scope.get("method", "WS")
        if scope["type"] == "http":
            requests, latency = _http_series(route, method, status)
            requests.inc()
            latency.observe(duration)
            if record.outcome is not None:
                requests, latency = _graphql_series(
                    metrics.operation_label(record.operation), record.outcome
                )
                requests.inc()
                latency.observe(duration)
        extra: dict[str, object] = {
            "method": method,
            "path": scope.get("path"),
            "status": status or None,
            "duration_ms": round(duration * 1000, 2),
        }
        if record.operation is not None or record.outcome is not None:
            extra["operation"] = record.operation or "anonymous"
            extra["operation_type"] = record.operation_type
            extra["outcome"] = record.outcome
        if record.user_id:
            extra["user_id"] = record.user_id
        if record.organisation_id:
            extra["organisation_id"] = record.organisation_id
        if record.api_token_id:
            extra["api_token_id"] = record.api_token_id
        if record.error_ids:
            extra["error_ids"] = record.error_ids
        logger.info("request", extra=extra)


#: The request metrics' labelled series, by their labels: ``labels()`` validates and locks
#: on every call, and a process answers only a few routes, statuses and operations (the
#: operation names are capped by ``metrics.operation_label``).
_HTTP_SERIES: dict[tuple[str, str, int], tuple[Any, Any]] = {}
_GRAPHQL_SERIES: dict[tuple[str, str], tuple[Any, Any]] = {}


def _http_series(route: str, method: str, status: int) -> tuple[Any, Any]:
    key = (route, method, status)
    series = _HTTP_SERIES.get(key)
    if series is None:
        series = _HTTP_SERIES[key] = (
            metrics.HTTP_REQUESTS.labels(route, method, str(status)),
            metrics.HTTP_LATENCY.labels(route),
        )
    return series


def _graphql_series(operation: str, outcome: str) -> tuple[Any, Any]:
    key = (operation, outcome)
    series = _GRAPHQL_SERIES.get(key)
    if series is None:
        series = _GRAPHQL_SERIES[key] = (
            metrics.GRAPHQL_REQUESTS.labels(operation, outcome),
            metrics.GRAPHQL_LATENCY.labels(operation),
        )
    return series


def _wants_page(scope: Scope) -> bool:
    """A browser asking for a web page (the web client answers it), not an API call."""
    from starlette.requests import Request

    from web.app import wants_html

    app = scope.get("app")
    return app is not None and hasattr(app.state, "web") and wants_html(Request(scope))

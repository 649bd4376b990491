"""What a client gets when the server fails: a JSON error with an id, logged once with it.

Starlette's own ``ServerErrorMiddleware`` answers an exception with a handler and then raises
it again for the server to log, so every fault was logged twice ("Exception in ASGI
application" after our own line). :class:`MaskUnexpected` sits inside it and ends the
exception here: one log line with the id, one JSON answer.

* A lost or too busy database (``core.db.is_database_unavailable``, ``is_database_busy``:
  no pooled connection came free in time): ``503`` with ``Retry-After``; the
  outage itself is logged once by ``core.db.DatabaseOutage``, so each request adds one line
  with its id, without a traceback.
* Anything else: ``500``, logged at ERROR with its traceback.
"""

from __future__ import annotations

import logging
import uuid

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from core.db import CommitInDoubt, is_database_busy, is_database_unavailable

logger = logging.getLogger("portal.http")

#: Seconds a client is asked to wait before trying again while the database is away.
RETRY_AFTER_SECONDS = 5


def new_error_id() -> str:
    return uuid.uuid4().hex[:12]


def unavailable_response(error_id: str, error: BaseException) -> JSONResponse:
    """``503`` for a request the database could not serve (``error``), with its id.

    A commit whose answer was lost may have been applied: the client is told to check, and
    is not invited to send it again blindly (no ``Retry-After``)."""
    if isinstance(error, CommitInDoubt):
        return JSONResponse(
            {
                "error": "The database connection was lost while saving: the change may or "
                f"may not have been saved. Reload to check before trying again (id {error_id}).",
                "errorId": error_id,
                "code": "COMMIT_IN_DOUBT",
            },
            status_code=503,
        )
    return JSONResponse(
        {
            "error": "The database is not answering in time; nothing was changed. Try again "
            f"in a few seconds (id {error_id}).",
            "errorId": error_id,
            "code": "UNAVAILABLE",
        },
        status_code=503,
        headers={"Retry-After": str(RETRY_AFTER_SECONDS)},
    )


def log_unavailable(
    error_id: str, method: str, path: str, error: BaseException, *, attempts: int = 1
) -> None:
    """One line per request answered 503 (the outage has its own WARNING)."""
    cause = error.__cause__ or error
    logger.warning(
        "answered 503 (id %s) to %s %s after %d attempt%s: %s: %s",
        error_id,
        method,
        path,
        attempts,
        "" if attempts == 1 else "s",
        type(cause).__name__,
        str(cause).splitlines()[0] if str(cause) else "",
    )


def _server_error_page(scope: Scope, error_id: str) -> Response | None:
    """A browser gets the web client's "Sorry, there is a problem" page with the id."""
    from web.app import wants_html

    web = getattr(getattr(scope.get("app"), "state", None), "web", None)
    request = Request(scope)
    if web is None or not wants_html(request):
        return None
    page: Response = web.server_error_page(request, error_id)
    return page


class MaskUnexpected:
    """ASGI middleware: an exception from the app becomes a masked JSON error, logged once."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = False

        async def tracking_send(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, receive, tracking_send)
        except Exception as error:
            error_id = new_error_id()
            response: Response
            method, path = scope.get("method", ""), scope.get("path", "")
            if is_database_unavailable(error) or is_database_busy(error):
                log_unavailable(error_id, method, path, error)
                response = unavailable_response(error_id, error)
            else:
                logger.error(
                    "unexpected error %s on %s %s",
                    error_id,
                    method,
                    path,
                    exc_info=(type(error), error, error.__traceback__),
                    extra={"error_id": error_id},
                )
                response = _server_error_page(scope, error_id) or JSONResponse(
                    {
                        "error": f"Unexpected error (id {error_id}). It has been logged; "
                        "please quote the id.",
                        "errorId": error_id,
                    },
                    status_code=500,
                )
            if not started:  # else the server closes the half-sent response
                await response(scope, receive, send)

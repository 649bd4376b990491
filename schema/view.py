"""The strawberry ASGI view at ``/graphql``: authentication, CSRF guard, context, encoding."""

from __future__ import annotations

import asyncio
import logging
import random
from contextlib import nullcontext
from typing import Any

import orjson
import strawberry
from cross_web import HTTPException
from starlette.datastructures import UploadFile
from starlette.requests import HTTPConnection, Request
from starlette.responses import Response
from starlette.websockets import WebSocket
from strawberry.asgi import GraphQL
from strawberry.exceptions import ConnectionRejectionError
from strawberry.subscriptions import GRAPHQL_TRANSPORT_WS_PROTOCOL
from strawberry.types.unset import UNSET, UnsetType

from core.db import (
    CommitInDoubt,
    Database,
    is_database_busy,
    is_database_unavailable,
    ping_every_checkout,
    request_ledger,
)
from core.identity.authenticate import authenticate
from core.identity.ratelimit import AttemptLimiter
from core.plugins.registry import CategoryRegistry
from core.settings import Settings
from schema.context import Context
from schema.http.errors import log_unavailable, new_error_id, unavailable_response

SESSION_COOKIE = "portal_session"

logger = logging.getLogger("portal.http")

#: The pause (on average) before a request that met a lost connection is run again.
RUN_AGAIN_AFTER_SECONDS = 0.5


def bearer_token(connection: HTTPConnection) -> str | None:
    header = connection.headers.get("authorization", "")
    scheme, _, value = header.partition(" ")
    if scheme.lower() == "bearer" and value.strip():
        return value.strip()
    return None


class PortalGraphQL(GraphQL[Context, None]):
    def __init__(
        self,
        schema: strawberry.Schema,
        *,
        settings: Settings,
        registry: CategoryRegistry,
        db: Database,
    ) -> None:
        production = settings.env == "production"
        super().__init__(
            schema,
            graphql_ide=None if production else "graphiql",
            # Queries over GET would let a link run them; GET serves only GraphiQL.
            allow_queries_via_get=False,
            # Only graphql-transport-ws: the legacy graphql-ws protocol is not offered.
            subscription_protocols=(GRAPHQL_TRANSPORT_WS_PROTOCOL,),
            # Uploads are on: cookie POSTs (multipart included) pass _guard_cookie_post.
            multipart_uploads_enabled=True,
            allowed_origins=[settings.origin],
        )
        self.settings = settings
        self.registry = registry
        self.db = db
        self.limiter = AttemptLimiter(settings.redis_url, settings.login_rate_limit)

    async def run(
        self,
        request: Request | WebSocket,
        context: Context | UnsetType = UNSET,
        root_value: UnsetType | None = UNSET,
    ) -> Any:
        """An HTTP request's plain reads (authentication, then its list) share one pooled
        connection (:meth:`Database.request_scope`); a WebSocket lives too long to hold one.

        A request that met a lost database connection (a restart, a failover) and committed
        nothing is run once more, on a fresh connection: the pool has replaced the dead
        ones. If that fails too, or something had been committed (running it again could
        repeat a change), the client gets 503 with the error's id (``schema.http.errors``)."""
        if isinstance(request, WebSocket):
            return await super().run(request, context, root_value)  # type: ignore[arg-type]  # our Context
        for attempt in range(2):
            last = attempt == 1
            with request_ledger() as ledger, ping_every_checkout() if last else nullcontext():
                try:
                    async with self.db.request_scope():
                        response = await super().run(request, context, root_value)  # type: ignore[arg-type]  # our Context
                except Exception as error:
                    lost = is_database_unavailable(error)
                    if lost and not last and ledger.may_run_again:
                        await self._before_running_again(request, error)
                        continue
                    if (lost or is_database_busy(error)) and not ledger.may_run_again:
                        error_id = new_error_id()
                        doubt = CommitInDoubt("the database failed after a change was committed")
                        doubt.__cause__ = error
                        log_unavailable(
                            error_id, request.method, request.url.path, doubt, attempts=attempt + 1
                        )
                        return unavailable_response(error_id, doubt)
                    raise  # schema.http.errors answers it (503 for a lost or busy database)
            if ledger.lost is None:
                return response
            error_id, failure = ledger.lost
            if not last and ledger.may_run_again and not is_database_busy(failure):
                await self._before_running_again(request, failure)
                continue
            if not ledger.may_run_again and not isinstance(failure, CommitInDoubt):
                # Something was committed (or may have been) before the database failed the
                # rest: the client must not be told that nothing changed.
                doubt = CommitInDoubt("the database failed after a change was committed")
                doubt.__cause__, failure = failure, doubt
            log_unavailable(
                error_id, request.method, request.url.path, failure, attempts=attempt + 1
            )
            return unavailable_response(error_id, failure)
        raise AssertionError("unreachable")  # pragma: no cover

    async def _before_running_again(self, request: Request, error: BaseException) -> None:
        """A moment's pause first: a server restart or a ``pg_terminate_backend`` ends the
        pool's connections one after another (on a busy machine over a few hundred
        milliseconds: each server process ends when it is next scheduled), and a connection
        that answered a ping a moment ago may still be ended. After the pause the pool hands
        out live or new connections (``core.db`` checks each checkout)."""
        await asyncio.sleep(RUN_AGAIN_AFTER_SECONDS * (0.5 + random.random()))
        logger.debug(
            "%s %s met a lost database connection before committing (%s): running it again "
            "on a fresh connection",
            request.method,
            request.url.path,
            type(error.__cause__ or error).__name__,
        )
        form = getattr(request, "_form", None)  # uploads are read again from the start
        for value in form.values() if form is not None else ():
            if isinstance(value, UploadFile):
                await value.seek(0)

    def _guard_cookie_post(self, request: Request) -> None:
        """A cookie-authenticated POST runs only with ``X-Requested-With`` or our ``Origin``.

        Both a JSON and a multipart POST can be sent cross-site by a plain HTML form or
        ``fetch`` without a preflight; neither can add a custom header, and browsers always
        send ``Origin`` on cross-site POSTs.
        """
        if request.method != "POST" or bearer_token(request) is not None:
            return
        if SESSION_COOKIE not in request.cookies:
            return
        if "x-requested-with" in request.headers:
            return
        if request.headers.get("origin") == self.settings.origin:
            return
        raise HTTPException(
            403,
            "Cookie-authenticated requests need the X-Requested-With header "
            "(or an Origin of this portal).",
        )

    async def get_context(
        self, request: Request | WebSocket, response: Response | WebSocket | None
    ) -> Context:
        if isinstance(request, Request):
            self._guard_cookie_post(request)
        client_address = request.client.host if request.client else None
        token = bearer_token(request) or request.cookies.get(SESSION_COOKIE)
        viewer = await authenticate(self.db, token, client_address)
        return Context(
            request=request,
            response=response,
            settings=self.settings,
            registry=self.registry,
            db=self.db,
            limiter=self.limiter,
            viewer=viewer,
            client_address=client_address,
            credentials=token,
        )

    async def on_ws_connect(self, context: Context) -> UnsetType | dict[str, object] | None:
        """``connection_init``: a bearer token in the payload (``{"authorization": "Bearer
        <token>"}``), else the session cookie; a person's credentials only, else 4403."""
        params = context.connection_params or {}
        header = params.get("authorization") or params.get("Authorization")
        if header is not None:
            scheme, _, value = str(header).partition(" ")
            token = value.strip() if scheme.lower() == "bearer" else ""
            viewer = await authenticate(self.db, token, context.client_address)
            context.viewer, context.credentials = viewer, token
        if context.viewer is None or context.viewer.user_id is None:
            raise ConnectionRejectionError({"message": "Sign in: no valid session."})
        return UNSET

    def encode_json(self, data: Any) -> bytes:
        return orjson.dumps(data)

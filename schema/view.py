"""The strawberry ASGI view at ``/graphql``: authentication, CSRF guard, context, encoding."""

from __future__ import annotations

from typing import Any

import orjson
import strawberry
from cross_web import HTTPException
from starlette.requests import HTTPConnection, Request
from starlette.responses import Response
from starlette.websockets import WebSocket
from strawberry.asgi import GraphQL
from strawberry.exceptions import ConnectionRejectionError
from strawberry.subscriptions import GRAPHQL_TRANSPORT_WS_PROTOCOL
from strawberry.types.unset import UNSET, UnsetType

from core.db import Database
from core.identity.authenticate import authenticate
from core.identity.ratelimit import AttemptLimiter
from core.plugins.registry import CategoryRegistry
from core.settings import Settings
from schema.context import Context

SESSION_COOKIE = "portal_session"


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
        connection (:meth:`Database.request_scope`); a WebSocket lives too long to hold one."""
        if isinstance(request, WebSocket):
            return await super().run(request, context, root_value)  # type: ignore[arg-type]  # our Context
        async with self.db.request_scope():
            return await super().run(request, context, root_value)  # type: ignore[arg-type]  # our Context

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

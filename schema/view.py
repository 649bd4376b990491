"""The strawberry ASGI view at ``/graphql``: context, JSON encoding and protocol choices."""

from __future__ import annotations

from typing import Any

import orjson
import strawberry
from starlette.requests import Request
from starlette.responses import Response
from starlette.websockets import WebSocket
from strawberry.asgi import GraphQL
from strawberry.subscriptions import GRAPHQL_TRANSPORT_WS_PROTOCOL

from core.db import Database
from core.plugins.registry import CategoryRegistry
from core.settings import Settings
from schema.context import Context


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
            multipart_uploads_enabled=False,
            allowed_origins=[settings.origin],
        )
        self.settings = settings
        self.registry = registry
        self.db = db

    async def get_context(
        self, request: Request | WebSocket, response: Response | WebSocket | None
    ) -> Context:
        return Context(
            request=request,
            response=response,
            settings=self.settings,
            registry=self.registry,
            db=self.db,
        )

    def encode_json(self, data: Any) -> bytes:  # type: ignore[override]
        return orjson.dumps(data)

"""The Starlette application factory: the GraphQL view and the plain HTTP endpoints."""

from __future__ import annotations

import asyncio
import gc
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.routing import Route, WebSocketRoute

import core.querycount  # noqa: F401  (registers the statement counter)
from core.db import Database, create_engine
from core.jobs.broker import configure_broker
from core.jobs.inprocess import InProcessBackground
from core.notifications.realtime import Hub
from core.plugins.registry import CategoryRegistry, build_registry
from core.settings import Settings, load_settings
from schema.build import build_schema
from schema.http.documents import download_document
from schema.http.errors import MaskUnexpected
from schema.http.explorer import explorer_asset
from schema.http.health import health
from schema.http.ipas import print_ipa, print_offer
from schema.http.limits import BodySizeLimit
from schema.http.registration import registration_template
from schema.view import PortalGraphQL

logger = logging.getLogger("portal.http")


def create_app(
    settings: Settings | None = None,
    *,
    registry: CategoryRegistry | None = None,
    db: Database | None = None,
    background: bool = False,
    freeze_startup_objects: bool = False,
) -> Starlette:
    """The portal's ASGI application for ``settings`` (read from the environment if omitted).

    ``background``: without Redis, also run the Dramatiq worker and the periodic jobs in this
    process (``portal serve``); tests leave it off unless they test the background work.
    ``freeze_startup_objects``: once started, move everything made so far (the schema, the
    models, the plugins) out of the garbage collector's sight (``gc.freeze``), so that the
    collections that every request triggers do not walk them again (``portal serve``).
    """
    settings = settings or load_settings()
    registry = registry or build_registry()
    db = db or Database(create_engine(settings.database_url))
    schema = build_schema(
        registry,
        production=settings.env == "production",
        fast_execution=settings.fast_execution,
    )
    graphql = PortalGraphQL(schema, settings=settings, registry=registry, db=db)

    realtime = Hub(settings.redis_url)

    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        broker = configure_broker(settings)
        worker = None
        if background and not settings.redis_url:
            worker = InProcessBackground(broker)
            worker.start()
        if freeze_startup_objects:
            gc.collect()
            gc.freeze()
        try:
            yield
        finally:
            await realtime.stop()
            if worker is not None:
                await asyncio.to_thread(worker.stop)
            await db.dispose()

    app = Starlette(
        routes=[
            Route("/graphql", graphql, methods=["GET", "POST"]),
            WebSocketRoute("/graphql", graphql),
            Route("/graphiql/assets/{fingerprint}/{name}", explorer_asset, methods=["GET"]),
            Route("/health", health, methods=["GET"]),
            Route("/documents/{id}", download_document, methods=["GET"]),
            Route("/ipas/{id}/print", print_ipa, methods=["GET"]),
            Route("/offers/{id}/print", print_offer, methods=["GET"]),
            Route("/registration-template.xlsx", registration_template, methods=["GET"]),
        ],
        middleware=[
            Middleware(MaskUnexpected),
            Middleware(BodySizeLimit, max_bytes=settings.max_upload_bytes),
        ],
        lifespan=lifespan,
    )
    app.state.settings = settings
    app.state.registry = registry
    app.state.db = db
    app.state.schema = schema
    app.state.realtime = realtime
    return app

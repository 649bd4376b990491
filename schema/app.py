"""The Starlette application factory: the GraphQL view and the plain HTTP endpoints."""

from __future__ import annotations

import asyncio
import gc
import logging
import os
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.routing import Route, WebSocketRoute

import core.querycount  # noqa: F401  (registers the statement counter)
from core.children.access_log import AccessLog
from core.db import Database, create_engine
from core.jobs.broker import configure_broker
from core.jobs.inprocess import InProcessBackground
from core.notifications.realtime import Hub
from core.observability.metrics import process_exited
from core.plugins.registry import CategoryRegistry, build_registry
from core.settings import Settings, load_settings
from schema.build import build_schema
from schema.http.documents import download_document
from schema.http.errors import MaskUnexpected
from schema.http.explorer import explorer_asset
from schema.http.exports import download_export
from schema.http.headers import SecurityHeaders
from schema.http.health import health, live, ready
from schema.http.ipas import print_ipa, print_offer
from schema.http.limits import BodySizeLimit
from schema.http.metrics import metrics_endpoint
from schema.http.observe import RequestObserver
from schema.http.pdfs import ipa_pdf, offer_pdf
from schema.http.placements import export_placements
from schema.http.registration import registration_template
from schema.view import PortalGraphQL
from schema.wiring import wire
from web.app import WebClient, wants_html

logger = logging.getLogger("portal.http")


async def _not_found(request: Request, exc: Exception) -> Response:
    """No route: the web client's 404 page for a browser, plain text for anyone else."""
    if wants_html(request):
        return request.app.state.web.not_found_page(request)
    return PlainTextResponse("Not Found", status_code=404)


def create_app(
    settings: Settings | None = None,
    *,
    registry: CategoryRegistry | None = None,
    db: Database | None = None,
    background: bool = False,
    freeze_startup_objects: bool = False,
    observe: bool = True,
) -> Starlette:
    """The portal's ASGI application for ``settings`` (read from the environment if omitted).

    ``background``: without Redis, also run the Dramatiq worker and the periodic jobs in this
    process (``portal serve``); tests leave it off unless they test the background work.
    ``freeze_startup_objects``: once started, move everything made so far (the schema, the
    models, the plugins) out of the garbage collector's sight (``gc.freeze``), so that the
    collections that every request triggers do not walk them again (``portal serve``).
    ``observe``: the request log line, request id and request metrics (off only to measure
    what they cost: bench/observability.py).
    """
    wire()
    settings = settings or load_settings()
    registry = registry or build_registry()
    db = db or Database(create_engine(settings.database_url))
    schema = build_schema(
        registry,
        production=settings.env == "production",
        fast_execution=settings.fast_execution,
        observe=observe,
    )
    graphql = PortalGraphQL(schema, settings=settings, registry=registry, db=db)

    web = WebClient(graphql, schema, settings)
    realtime = Hub(settings.redis_url)
    readiness_redis = None
    if settings.redis_url:
        import redis.asyncio

        readiness_redis = redis.asyncio.Redis.from_url(
            settings.redis_url, socket_connect_timeout=1.0, socket_timeout=1.0
        )
    access_log = AccessLog(
        db, flush_seconds=settings.access_log_flush_seconds, enabled=settings.access_log
    )

    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        broker = configure_broker(settings)
        app.state.broker = broker
        worker = None
        if background and not settings.redis_url:
            worker = InProcessBackground(broker)
            worker.start()
        access_log.start()
        if freeze_startup_objects:
            gc.collect()
            gc.freeze()
        try:
            yield
        finally:
            # Reads still queued are written before the database goes (a clean stop loses none).
            await access_log.stop()
            await realtime.stop()
            if readiness_redis is not None:
                await readiness_redis.aclose()
            if worker is not None:
                await asyncio.to_thread(worker.stop)
            await db.dispose()
            process_exited(os.getpid())  # multiprocess metrics: this process's gauges stop

    app = Starlette(
        routes=[
            Route("/graphql", graphql, methods=["GET", "POST"]),
            WebSocketRoute("/graphql", graphql),
            Route("/graphiql/assets/{fingerprint}/{name}", explorer_asset, methods=["GET"]),
            Route("/health", health, methods=["GET"]),
            Route("/health/live", live, methods=["GET"]),
            Route("/health/ready", ready, methods=["GET"]),
            Route("/metrics", metrics_endpoint, methods=["GET"]),
            Route("/documents/{id}", download_document, methods=["GET"]),
            # before /exports/{id}, which would take "placements.csv" for an id
            Route("/exports/placements.{format}", export_placements, methods=["GET"]),
            Route("/exports/{id}", download_export, methods=["GET"]),
            Route("/ipas/{id}/print", print_ipa, methods=["GET"]),
            Route("/offers/{id}/print", print_offer, methods=["GET"]),
            Route("/ipas/{id}.pdf", ipa_pdf, methods=["GET"]),
            Route("/offers/{id}.pdf", offer_pdf, methods=["GET"]),
            Route("/registration-template.xlsx", registration_template, methods=["GET"]),
            *web.routes(),
        ],
        middleware=[
            *([Middleware(RequestObserver)] if observe else []),
            Middleware(
                SecurityHeaders,
                hsts=settings.env == "production" and settings.base_url.startswith("https://"),
            ),
            Middleware(MaskUnexpected),
            Middleware(BodySizeLimit, max_bytes=settings.max_upload_bytes),
        ],
        exception_handlers={404: _not_found},
        lifespan=lifespan,
    )
    app.state.settings = settings
    app.state.registry = registry
    app.state.db = db
    app.state.schema = schema
    app.state.realtime = realtime
    app.state.readiness_redis = readiness_redis
    app.state.broker = None
    app.state.web = web
    app.state.access_log = access_log
    return app

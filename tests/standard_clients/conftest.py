"""Fixtures of the standard-client tests: the app under other settings (production, a TOTP
issuer), served on a real loopback port when a client needs one."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator, Callable
from typing import Any

import httpx
import pytest
from asgi_lifespan import LifespanManager
from starlette.applications import Starlette

from core.plugins.registry import CategoryRegistry
from core.settings import Settings
from schema.app import create_app
from tests.graphql_client import GraphQLClient

PRODUCTION_SECRET = "production-secret-key-0123456789abcdef012345"

AppWith = Callable[..., contextlib.AbstractAsyncContextManager[GraphQLClient]]


@pytest.fixture
def portal_with(settings: Settings, registry: CategoryRegistry) -> AppWith:
    """``async with portal_with(env="production") as client``: the app under these settings
    (on this test's database), and a GraphQL client of it."""

    @contextlib.asynccontextmanager
    async def started(**overrides: Any) -> AsyncIterator[GraphQLClient]:
        if overrides.get("env") == "production":
            overrides.setdefault("secret_key", PRODUCTION_SECRET)
        application = create_app(settings.model_copy(update=overrides), registry=registry)
        async with LifespanManager(application):
            transport = httpx.ASGITransport(app=application, client=("127.0.0.1", 51000))
            async with httpx.AsyncClient(
                transport=transport, base_url="http://127.0.0.1:8000"
            ) as http:
                yield GraphQLClient(http)

    return started


@pytest.fixture
async def portal(settings: Settings, registry: CategoryRegistry) -> AsyncIterator[Starlette]:
    """The started Starlette app itself (its ``state`` holds the realtime hub)."""
    application = create_app(settings, registry=registry)
    async with LifespanManager(application):
        yield application

"""Fixtures of the notification tests."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from asgi_lifespan import LifespanManager
from starlette.applications import Starlette

from core.plugins.registry import CategoryRegistry
from core.settings import Settings
from schema.app import create_app


@pytest.fixture
async def portal(settings: Settings, registry: CategoryRegistry) -> AsyncIterator[Starlette]:
    """The started Starlette app itself (its ``state`` holds the realtime hub)."""
    application = create_app(settings, registry=registry)
    async with LifespanManager(application):
        yield application

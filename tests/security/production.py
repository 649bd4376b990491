"""The portal as production runs it (``env="production"``, served at an https address), for
the tests of what production adds (HSTS, masked errors, ...)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import httpx
from asgi_lifespan import LifespanManager

from core.settings import Settings
from schema.app import create_app

BASE_URL = "https://portal.example.org"


@asynccontextmanager
async def production_client(
    database_url: str, registry: Any, storage: Path, client: tuple[str, int] | None = None
) -> AsyncIterator[httpx.AsyncClient]:
    """An HTTP client of a production-mode app (``client``: the address requests come from)."""
    from tests.conftest import TEST_SECRET_KEY, TEST_STORAGE_KEY

    settings = Settings(
        database_url=database_url,
        storage_dir=storage,
        secret_key=TEST_SECRET_KEY,
        storage_key=TEST_STORAGE_KEY,
        env="production",
        base_url=BASE_URL,
    )
    application = create_app(settings, registry=registry)
    async with LifespanManager(application) as manager:
        options: dict[str, Any] = {} if client is None else {"client": client}
        transport = httpx.ASGITransport(app=manager.app, **options)  # type: ignore[arg-type]
        async with httpx.AsyncClient(transport=transport, base_url=BASE_URL) as http:
            yield http

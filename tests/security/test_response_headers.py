"""Finding 15: the API's responses carry the security headers; production over https sends
HSTS; production over plain http does not start."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest
from asgi_lifespan import LifespanManager

from core.settings import Settings, SettingsError, load_settings
from schema.app import create_app
from tests.identity.world import World


@pytest.mark.parametrize(
    ("method", "path"),
    [("POST", "/graphql"), ("GET", "/health"), ("GET", "/documents/not-an-id")],
)
async def test_api_responses_carry_the_security_headers(
    world: World, method: str, path: str
) -> None:
    # when
    response = await world.client.http.request(
        method, path, json={"query": "{ __typename }"} if method == "POST" else None
    )

    # then
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["x-frame-options"] == "DENY"
    assert "frame-ancestors 'none'" in response.headers["content-security-policy"]
    assert response.headers["referrer-policy"] == "no-referrer"
    assert "no-store" in response.headers["cache-control"]
    assert "strict-transport-security" not in response.headers  # not production


@pytest.fixture
async def production(
    database_url: str, registry, tmp_path: Path
) -> AsyncIterator[httpx.AsyncClient]:
    from tests.conftest import TEST_SECRET_KEY, TEST_STORAGE_KEY

    settings = Settings(
        database_url=database_url,
        storage_dir=tmp_path / "storage",
        secret_key=TEST_SECRET_KEY,
        storage_key=TEST_STORAGE_KEY,
        env="production",
        base_url="https://portal.example.org",
    )
    application = create_app(settings, registry=registry)
    async with LifespanManager(application) as manager:
        transport = httpx.ASGITransport(app=manager.app)  # type: ignore[arg-type]
        async with httpx.AsyncClient(
            transport=transport, base_url="https://portal.example.org"
        ) as http:
            yield http


async def test_production_over_https_sends_hsts(production: httpx.AsyncClient) -> None:
    # when
    response = await production.get("/health")

    # then
    assert response.headers["strict-transport-security"].startswith("max-age=")


def test_production_over_plain_http_does_not_start(monkeypatch) -> None:
    # given
    monkeypatch.setenv("PORTAL_ENV", "production")
    monkeypatch.setenv("PORTAL_SECRET_KEY", "x" * 40)
    monkeypatch.setenv("PORTAL_STORAGE_KEY", "dGVzdC1zdG9yYWdlLWtleS0wMTIzNDU2Nzg5YWJjZGU=")
    monkeypatch.setenv("PORTAL_BASE_URL", "http://portal.example.org")

    # when / then
    with pytest.raises(SettingsError, match="PORTAL_BASE_URL"):
        load_settings()

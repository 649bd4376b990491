"""Finding 15: the API's responses carry the security headers; production over https sends
HSTS; production over plain http does not start."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest

from core.settings import SettingsError, load_settings
from tests.identity.world import World
from tests.security.production import production_client


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
    async with production_client(database_url, registry, tmp_path / "storage") as http:
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

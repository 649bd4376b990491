from __future__ import annotations

import httpx
import pytest

from tests.web.session import WebSession


@pytest.fixture
async def web_http(app: object) -> httpx.AsyncClient:
    transport = httpx.ASGITransport(app=app, client=("127.0.0.1", 51001))  # type: ignore[arg-type]
    async with httpx.AsyncClient(transport=transport, base_url="http://127.0.0.1:8000") as client:
        yield client


@pytest.fixture
def web(web_http: httpx.AsyncClient) -> WebSession:
    return WebSession(web_http)

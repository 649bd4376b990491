"""Browser tests: Debian's Chromium driven by Playwright against a real ``portal serve`` on a
free port of 127.0.0.1, with its own SQLite database and storage. They run once, in the
SQLite leg (the ``browser`` marker is skipped when PORTAL_TEST_DATABASE_URL is set)."""

from __future__ import annotations

import asyncio
import os
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

from core.db import Database, create_engine
from core.migrate import upgrade
from core.settings import Settings
from tests.conftest import IN_CI, TEST_SECRET_KEY
from tests.graphql_client import GraphQLClient
from tests.people import People

CHROMIUM = os.environ.get("PORTAL_TEST_CHROMIUM", "/usr/bin/chromium")


@dataclass
class ServedPortal:
    url: str
    settings: Settings
    log: Path


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture(scope="session")
def served_portal(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServedPortal]:
    """``portal serve`` in its own process, on SQLite, with in-process background work."""
    if not Path(CHROMIUM).exists() or shutil.which("node") is None:
        message = f"browser tests need Chromium at {CHROMIUM}"
        if IN_CI:
            pytest.fail(message)
        pytest.skip(message)
    home = tmp_path_factory.mktemp("served")
    database_url = f"sqlite+aiosqlite:///{home / 'portal.db'}"
    asyncio.run(upgrade(database_url))
    port = _free_port()
    url = f"http://127.0.0.1:{port}"
    env = {
        **os.environ,
        "PORTAL_DATABASE_URL": database_url,
        "PORTAL_BASE_URL": url,
        "PORTAL_ENV": "test",
        "PORTAL_SECRET_KEY": TEST_SECRET_KEY,
        "PORTAL_STORAGE_DIR": str(home / "storage"),
        "PORTAL_LOGIN_RATE_LIMIT": "10000/minute",
    }
    env.pop("PORTAL_REDIS_URL", None)
    env.pop("PORTAL_SMTP_URL", None)
    log = home / "serve.log"
    portal = Path(sys.executable).with_name("portal")
    with log.open("wb") as out:
        process = subprocess.Popen(
            [str(portal), "serve", "--host", "127.0.0.1", "--port", str(port)],
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                if httpx.get(f"{url}/health", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"portal serve did not start:\n{log.read_text()[-3000:]}")
            time.sleep(0.2)
        settings = Settings(
            database_url=database_url,
            base_url=url,
            env="test",
            secret_key=TEST_SECRET_KEY,
            storage_dir=home / "storage",
        )
        yield ServedPortal(url=url, settings=settings, log=log)
    finally:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()


@pytest.fixture
async def served_db(served_portal: ServedPortal) -> AsyncIterator[Database]:
    database = Database(create_engine(served_portal.settings.database_url))
    yield database
    await database.dispose()


@pytest.fixture
async def api(served_portal: ServedPortal) -> AsyncIterator[GraphQLClient]:
    """A GraphQL client of the served portal (for the other side: the LA)."""
    async with httpx.AsyncClient(base_url=served_portal.url, timeout=30) as http:
        yield GraphQLClient(http)


@pytest.fixture
def served_people(served_db: Database, served_portal: ServedPortal, api: GraphQLClient) -> People:
    return People(db=served_db, settings=served_portal.settings, client=api)


@pytest.fixture
async def chromium() -> AsyncIterator[object]:
    from playwright.async_api import async_playwright

    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(
            executable_path=CHROMIUM, headless=True, args=["--no-sandbox"]
        )
        yield browser
        await browser.close()

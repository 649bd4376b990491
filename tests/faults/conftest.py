"""Fixtures of the fault tests: the portal's real processes on the test's PostgreSQL database,
a Redis server and an SMTP relay of the test's own. They run in the PostgreSQL + Redis leg."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import dramatiq
import httpx
import pytest
from dramatiq.brokers.stub import StubBroker

from core.db import Database
from core.settings import Settings
from tests.conftest import TEST_SECRET_KEY
from tests.faults.processes import Portal, RedisServer, Relay
from tests.graphql_client import GraphQLClient
from tests.people import People


@pytest.fixture(autouse=True)
def _nothing_enqueued_from_the_test() -> None:
    """The test's own writes (its 'given') enqueue nothing: the portal's processes work."""
    dramatiq.set_broker(StubBroker())


@pytest.fixture
def redis_server(tmp_path: Path) -> Iterator[RedisServer]:
    server = RedisServer(tmp_path)
    server.start()
    yield server
    server.stop()


@pytest.fixture
def relay() -> Iterator[Relay]:
    smtp = Relay()
    smtp.start()
    yield smtp
    smtp.stop()


@pytest.fixture
def portal(database_url: str, tmp_path: Path, relay: Relay) -> Iterator[Portal]:
    """The portal's processes (started by the test) on the test database, emailing through
    the relay; leases and outbox sweeps of 5 s keep the tests short."""
    stack = Portal(
        tmp_path,
        {
            "PORTAL_DATABASE_URL": database_url,
            "PORTAL_REDIS_URL": "",
            "PORTAL_SMTP_URL": relay.url,
            "PORTAL_SECRET_KEY": TEST_SECRET_KEY,
            "PORTAL_ENV": "test",
            "PORTAL_STORAGE_DIR": str(tmp_path / "storage"),
            "PORTAL_OUTBOX_LEASE_SECONDS": "5",
            "PORTAL_OUTBOX_SWEEP_SECONDS": "5",
            "PORTAL_LOGIN_RATE_LIMIT": "1000/minute",
        },
    )
    yield stack
    stack.stop_all()


@pytest.fixture
async def http_to(portal: Portal) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(base_url=portal.base_url, timeout=30) as client:
        yield client


@pytest.fixture
def people_of(db: Database, settings: Settings, http_to: httpx.AsyncClient) -> People:
    """People created in the test database who sign in through the real ``portal serve``."""
    return People(db=db, settings=settings, client=GraphQLClient(http_to))

"""Fixtures: a fresh database per test (SQLite, or PostgreSQL when configured), the app,
and a GraphQL client that talks to it over HTTP.

Environment:
  PORTAL_TEST_DATABASE_URL  a ``postgresql+asyncpg://`` server URL (its database name is
                            replaced by a fresh one per test run); unset: SQLite files.
  PORTAL_TEST_REDIS_URL     Redis for the tests that need it.
  CI=true                   a configured service that does not answer fails the run.
"""

from __future__ import annotations

import asyncio
import os
import shutil
import uuid
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import httpx
import pytest
from asgi_lifespan import LifespanManager
from sqlalchemy import text
from sqlalchemy.engine import make_url
from starlette.applications import Starlette

from core.db import Database, create_engine
from core.migrate import upgrade
from core.models import Base
from core.plugins.registry import CategoryRegistry, build_registry
from core.settings import Settings
from schema.app import create_app
from schema.wiring import wire
from tests.graphql_client import GraphQLClient
from tests.people import People

if TYPE_CHECKING:
    from tests.identity.world import World

TEST_SECRET_KEY = "test-secret-key-0123456789abcdef0123456789"
#: A 32-byte storage key, base64: production settings require one (documents at rest).
TEST_STORAGE_KEY = "dGVzdC1zdG9yYWdlLWtleS0wMTIzNDU2Nzg5YWJjZGU="
PG_URL = os.environ.get("PORTAL_TEST_DATABASE_URL", "")
IN_CI = os.environ.get("CI", "").lower() == "true"
#: Every query of the suite also run by graphql-core's executor and compared (tests/differential.py).
DIFFERENTIAL = os.environ.get("PORTAL_TEST_DIFFERENTIAL", "") == "1"


def pytest_configure(config: pytest.Config) -> None:
    # The registries, filled as the app fills them (create_app calls the same): tests that
    # build a schema or ask who may see a document without an app need them too.
    wire()
    if DIFFERENTIAL:
        import schema.build
        from tests.differential import DifferentialExecutionContext

        schema.build.PortalExecutionContext = DifferentialExecutionContext  # type: ignore[misc]


@pytest.fixture(autouse=DIFFERENTIAL)
def _both_executors_agree() -> Iterator[None]:
    from tests.differential import DifferentialExecutionContext

    DifferentialExecutionContext.mismatches.clear()
    yield
    assert DifferentialExecutionContext.mismatches == [], (
        "the portal's executor and graphql-core's disagree"
    )


def pytest_report_header() -> list[str]:
    backend = "PostgreSQL" if PG_URL else "SQLite"
    return [
        f"portal database: {backend}; redis: {os.environ.get('PORTAL_TEST_REDIS_URL') or 'none'}"
        + ("; every query under both executors" if DIFFERENTIAL else "")
    ]


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Tests that need a service run in the leg that has it (CI runs both legs); where the
    service is configured but does not answer, the fixtures fail in CI instead of skipping."""
    no_postgres = pytest.mark.skip(reason="needs PORTAL_TEST_DATABASE_URL (PostgreSQL)")
    no_redis = pytest.mark.skip(reason="needs PORTAL_TEST_REDIS_URL (Redis)")
    browser_once = pytest.mark.skip(reason="browser tests run once, in the SQLite leg")
    for item in items:
        if "browser" in item.keywords and PG_URL:
            item.add_marker(browser_once)
        if "postgres_only" in item.keywords and not PG_URL:
            item.add_marker(no_postgres)
        if "redis" in item.keywords and not os.environ.get("PORTAL_TEST_REDIS_URL"):
            item.add_marker(no_redis)


# ---------------------------------------------------------------- databases


class _PostgresDatabases:
    """One database per test run on the configured server, emptied between tests."""

    def __init__(self, server_url: str) -> None:
        self.admin_url = make_url(server_url).set(database="postgres")
        self.name = f"portal_test_{os.getpid()}_{uuid.uuid4().hex[:6]}"
        self.url = (
            make_url(server_url).set(database=self.name).render_as_string(hide_password=False)
        )

    async def create(self) -> None:
        engine = create_engine(self.admin_url.render_as_string(hide_password=False))
        try:
            async with engine.connect() as connection:
                await connection.execution_options(isolation_level="AUTOCOMMIT")
                await connection.execute(text(f'CREATE DATABASE "{self.name}"'))
        finally:
            await engine.dispose()
        await upgrade(self.url)

    async def empty(self) -> None:
        engine = create_engine(self.url)
        try:
            async with engine.begin() as connection:
                tables = ", ".join(f'"{t.name}"' for t in Base.metadata.sorted_tables)
                await connection.execute(text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))
        finally:
            await engine.dispose()

    async def drop(self) -> None:
        engine = create_engine(self.admin_url.render_as_string(hide_password=False))
        try:
            async with engine.connect() as connection:
                await connection.execution_options(isolation_level="AUTOCOMMIT")
                await connection.execute(
                    text(f'DROP DATABASE IF EXISTS "{self.name}" WITH (FORCE)')
                )
        finally:
            await engine.dispose()


@pytest.fixture(scope="session")
def _migrated_database(tmp_path_factory: pytest.TempPathFactory) -> Iterator[object]:
    """Migrated once per run: a template SQLite file, or a PostgreSQL database."""
    if PG_URL:
        databases = _PostgresDatabases(PG_URL)
        try:
            asyncio.run(databases.create())
        except OSError as error:
            message = f"PostgreSQL at PORTAL_TEST_DATABASE_URL does not answer: {error}"
            if IN_CI:
                pytest.fail(message)
            pytest.skip(message)
        yield databases
        asyncio.run(databases.drop())
    else:
        template = tmp_path_factory.mktemp("db") / "template.db"
        asyncio.run(upgrade(f"sqlite+aiosqlite:///{template}"))
        yield template


@pytest.fixture
async def database_url(_migrated_database: object, tmp_path: Path) -> str:
    """A migrated, empty database for this test."""
    if isinstance(_migrated_database, _PostgresDatabases):
        await _migrated_database.empty()
        return _migrated_database.url
    assert isinstance(_migrated_database, Path)
    path = tmp_path / "portal.db"
    shutil.copyfile(_migrated_database, path)
    return f"sqlite+aiosqlite:///{path}"


@pytest.fixture
def redis_url() -> str | None:
    """The test Redis database, emptied for this test; None when not configured."""
    url = os.environ.get("PORTAL_TEST_REDIS_URL") or None
    if url:
        import redis

        try:
            redis.Redis.from_url(url).flushdb()
        except redis.ConnectionError as error:
            message = f"Redis at PORTAL_TEST_REDIS_URL does not answer: {error}"
            if IN_CI:
                pytest.fail(message)
            pytest.skip(message)
    return url


@pytest.fixture
def settings(database_url: str, redis_url: str | None, tmp_path: Path) -> Settings:
    return Settings(
        database_url=database_url,
        storage_dir=tmp_path / "storage",
        secret_key=TEST_SECRET_KEY,
        env="test",
        redis_url=redis_url,
    )


@pytest.fixture(scope="session")
def registry() -> CategoryRegistry:
    return build_registry()


@pytest.fixture
async def db(settings: Settings) -> AsyncIterator[Database]:
    database = Database(create_engine(settings.database_url))
    yield database
    await database.dispose()


# ---------------------------------------------------------------- the app and its clients


@pytest.fixture
def application(settings: Settings, registry: CategoryRegistry) -> Starlette:
    """The app itself (its ``state``: the access log, the database, ...)."""
    return create_app(settings, registry=registry)


@pytest.fixture
async def app(application: Starlette) -> AsyncIterator[object]:
    async with LifespanManager(application) as manager:
        yield manager.app


@pytest.fixture
async def http(app: object) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=app, client=("127.0.0.1", 51000))  # type: ignore[arg-type]
    async with httpx.AsyncClient(transport=transport, base_url="http://127.0.0.1:8000") as client:
        yield client


@pytest.fixture
def client(http: httpx.AsyncClient) -> GraphQLClient:
    return GraphQLClient(http)


@pytest.fixture
def people(db: Database, settings: Settings, client: GraphQLClient) -> People:
    return People(db=db, settings=settings, client=client)


@pytest.fixture
def world(people: People, client: GraphQLClient) -> World:
    from tests.identity.world import World

    return World(people=people, client=client)

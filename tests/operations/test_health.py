import socket

import httpx
from asgi_lifespan import LifespanManager
from sqlalchemy import text

from core.db import Database
from core.settings import Settings
from schema.app import create_app


def closed_port() -> int:
    """A loopback port where nothing listens."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


async def get(settings: Settings, registry, path: str) -> httpx.Response:
    app = create_app(settings, registry=registry)
    async with LifespanManager(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://t") as http:
            return await http.get(path)


async def test_live_answers_while_the_process_runs(http: httpx.AsyncClient) -> None:
    response = await http.get("/health/live")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


async def test_ready_when_the_database_answers_and_is_migrated(http: httpx.AsyncClient) -> None:
    response = await http.get("/health/ready")
    assert response.status_code == 200, response.text
    assert response.json()["checks"]["database"] == "ok"
    assert response.json()["checks"]["migrations"] == "ok"


async def test_not_ready_when_the_database_is_down(settings: Settings, registry) -> None:
    # given a database server that does not answer
    down = settings.model_copy(
        update={"database_url": f"postgresql+asyncpg://portal@127.0.0.1:{closed_port()}/portal"}
    )
    # when
    response = await get(down, registry, "/health/ready")
    # then
    assert response.status_code == 503
    assert response.json()["checks"]["database"] == "unavailable"


async def test_not_ready_when_redis_is_configured_and_down(settings: Settings, registry) -> None:
    down = settings.model_copy(update={"redis_url": f"redis://127.0.0.1:{closed_port()}/0"})
    response = await get(down, registry, "/health/ready")
    assert response.status_code == 503
    assert response.json()["checks"]["redis"] == "unavailable"
    assert response.json()["checks"]["database"] == "ok"


async def test_not_ready_when_migrations_are_behind(
    settings: Settings, registry, db: Database
) -> None:
    # given a database one migration behind the code
    async with db.transaction() as session:
        head = await session.scalar(text("SELECT version_num FROM alembic_version"))
        await session.execute(text("UPDATE alembic_version SET version_num = '0001'"))
    try:
        # when
        response = await get(settings, registry, "/health/ready")
    finally:  # on PostgreSQL the database is shared by the run's tests (emptied, not made anew)
        async with db.transaction() as session:
            await session.execute(
                text("UPDATE alembic_version SET version_num = :head"), {"head": head}
            )
    # then
    assert response.status_code == 503
    assert response.json()["checks"]["migrations"] == "behind"


async def test_health_stays_as_it_was(http: httpx.AsyncClient) -> None:
    response = await http.get("/health")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}

"""A lost database connection is retried, not shown: a request whose connection turns out dead
before it committed runs again on a fresh one; one that cannot be served gets 503 with
``Retry-After`` and a masked error id; a COMMIT whose answer was lost is never run again
blindly: the server is asked what became of it."""

from __future__ import annotations

import asyncio
import logging

import httpx
import pytest
from asgi_lifespan import LifespanManager
from asyncpg.exceptions import ConnectionDoesNotExistError
from sqlalchemy import event, text
from sqlalchemy.dialects.postgresql.asyncpg import AsyncAdapt_asyncpg_connection

import core.db
import schema.app
from core.db import Database, create_engine
from core.identity.roles import OrganisationKind, Role
from core.models import User
from core.settings import Settings
from schema.app import create_app
from tests.graphql_client import GraphQLClient
from tests.notifications.helpers import free_port
from tests.people import People

VIEWER = "{ viewer { id email } }"
CATEGORIES = "{ categories { label } }"
SET_EMAIL_PREFERENCES = """
mutation { setEmailPreferences(input: {disabledKinds: [REMINDER]}) {
  userErrors { field message code } } }"""


@pytest.fixture
async def http_for(registry):  # type: ignore[no-untyped-def]
    """An httpx client for an app made with given settings (and its Starlette app)."""
    managers = []

    async def make(settings: Settings) -> tuple[httpx.AsyncClient, object]:
        app = create_app(settings, registry=registry)
        manager = LifespanManager(app)
        await manager.__aenter__()
        managers.append(manager)
        transport = httpx.ASGITransport(app=manager.app, client=("127.0.0.1", 51000))
        return httpx.AsyncClient(transport=transport, base_url="http://127.0.0.1:8000"), app

    yield make
    for manager in managers:
        await manager.__aexit__(None, None, None)


async def _terminate_other_connections(database_url: str) -> int:
    """End every server process of the test database but this one (a failover's effect)."""
    other = Database(create_engine(database_url))
    try:
        async with other.connection() as connection:
            return int(
                await connection.scalar(
                    text(
                        "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
                        "WHERE datname = current_database() AND pid <> pg_backend_pid()"
                    )
                )
                or 0
            )
    finally:
        await other.dispose()


@pytest.mark.postgres_only
async def test_a_request_whose_connection_died_unnoticed_is_run_again_on_a_fresh_one(
    people: People, client: GraphQLClient, settings: Settings, monkeypatch, caplog
) -> None:
    # given a signed-in person whose request will meet a pooled connection the server ended,
    # before the process noticed it (the race a pg_terminate_backend under load leaves)
    person = await people.signed_in(
        await people.organisation(OrganisationKind.PROVIDER), Role.PROVIDER_USER
    )
    await client.data(VIEWER, token=person.token)
    monkeypatch.setattr(core.db, "_driver_says_closed", lambda _connection: False)
    assert await _terminate_other_connections(settings.database_url) >= 1
    # when
    with caplog.at_level(logging.INFO):
        body = await client.execute(VIEWER, token=person.token)
    # then: answered, and the log says once that the connection was lost, without a traceback
    assert body == {"data": {"viewer": {"id": person.id, "email": person.email}}}
    lost = [r for r in caplog.records if "lost the database connection" in r.getMessage()]
    assert len(lost) == 1 and lost[0].levelno == logging.WARNING
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR or r.exc_info]


@pytest.mark.postgres_only
async def test_connections_ended_while_idle_are_logged_as_a_loss_and_replaced(
    people: People, client: GraphQLClient, settings: Settings, caplog
) -> None:
    # given a signed-in person, and the server's connections ended while the pool held them
    # idle (nobody's statement meets the loss: the next checkout finds them closed)
    person = await people.signed_in(
        await people.organisation(OrganisationKind.PROVIDER), Role.PROVIDER_USER
    )
    await client.data(VIEWER, token=person.token)
    assert await _terminate_other_connections(settings.database_url) >= 1
    await asyncio.sleep(0.5)  # the event loop reads the server's goodbye on each
    # when the next request comes
    with caplog.at_level(logging.INFO):
        body = await client.execute(VIEWER, token=person.token)
    # then it is answered on a fresh connection, and the log still says, once, that the
    # database's connections were lost and that it answers again
    assert body == {"data": {"viewer": {"id": person.id, "email": person.email}}}
    messages = [r.getMessage() for r in caplog.records if r.name == "core.db"]
    assert len([m for m in messages if "lost the database connection" in m]) == 1, messages
    assert [m for m in messages if "answers again" in m], messages
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR or r.exc_info]


async def test_a_request_the_database_cannot_serve_gets_503_with_retry_after_and_an_id(
    settings: Settings, http_for, caplog
) -> None:
    # given a database server that does not answer
    down = settings.model_copy(
        update={"database_url": f"postgresql+asyncpg://portal@127.0.0.1:{free_port()}/portal"}
    )
    http, _ = await http_for(down)
    # when
    with caplog.at_level(logging.INFO):
        response = await http.post("/graphql", json={"query": CATEGORIES})
    # then
    assert response.status_code == 503, response.text
    assert int(response.headers["retry-after"]) > 0
    body = response.json()
    error_id = body["errorId"]
    assert error_id in body["error"] and body["code"] == "UNAVAILABLE"
    mentions = [r for r in caplog.records if error_id in r.getMessage()]
    assert len(mentions) == 1 and not mentions[0].exc_info
    assert not [r for r in caplog.records if r.exc_info]


async def _reminder_opt_outs(db: Database, person) -> list[str]:  # type: ignore[no-untyped-def]
    async with db.session() as session:
        user = await session.get(User, person.user_id)
        assert user is not None
        return list(user.email_opt_outs)


@pytest.fixture
def lose_commit_answers(monkeypatch):  # type: ignore[no-untyped-def]
    """The next ``count`` COMMITs reach the server and are applied, then the connection
    drops before their answer is read (what a failover at that moment does)."""
    original = AsyncAdapt_asyncpg_connection.commit
    remaining = [0]

    def commit(self) -> None:  # type: ignore[no-untyped-def]
        original(self)
        if remaining[0] > 0:
            remaining[0] -= 1
            self._connection.terminate()
            self._handle_exception(
                ConnectionDoesNotExistError("connection was closed in the middle of operation")
            )

    monkeypatch.setattr(AsyncAdapt_asyncpg_connection, "commit", commit)

    def arm(count: int = 1) -> None:
        remaining[0] = count

    return arm


@pytest.mark.postgres_only
async def test_a_commit_whose_answer_was_lost_is_found_applied_and_not_run_again(
    people: People, db: Database, settings: Settings, http_for, lose_commit_answers, caplog
) -> None:
    # given a signed-in person, and a COMMIT whose answer will be lost after it was applied
    person = await people.signed_in(
        await people.organisation(OrganisationKind.PROVIDER), Role.PROVIDER_USER
    )
    http, _ = await http_for(settings)
    client = GraphQLClient(http)
    lose_commit_answers(1)
    # when
    with caplog.at_level(logging.INFO):
        body = await client.execute(SET_EMAIL_PREFERENCES, token=person.token)
    # then: the server's own record says it committed, so the client is told it worked
    assert body == {"data": {"setEmailPreferences": {"userErrors": []}}}, body
    assert await _reminder_opt_outs(db, person) == ["REMINDER"]
    assert any("had been applied" in r.getMessage() for r in caplog.records)


@pytest.mark.postgres_only
async def test_a_connection_cut_before_the_commit_arrived_runs_the_request_again(
    people: People, db: Database, settings: Settings, http_for
) -> None:
    # given a signed-in person, and a connection cut as COMMIT is about to be sent
    person = await people.signed_in(
        await people.organisation(OrganisationKind.PROVIDER), Role.PROVIDER_USER
    )
    http, app = await http_for(settings)
    client = GraphQLClient(http)
    cuts = []

    def cut(connection) -> None:  # type: ignore[no-untyped-def]
        if not cuts:
            cuts.append(1)
            connection.connection.dbapi_connection.driver_connection.terminate()

    engine = app.state.db.engine.sync_engine
    event.listen(engine, "commit", cut)
    try:
        # when
        body = await client.execute(SET_EMAIL_PREFERENCES, token=person.token)
    finally:
        event.remove(engine, "commit", cut)
    # then: the server rolled it back, so it ran again and was saved once
    assert cuts == [1]
    assert body == {"data": {"setEmailPreferences": {"userErrors": []}}}, body
    assert await _reminder_opt_outs(db, person) == ["REMINDER"]


@pytest.mark.postgres_only
async def test_a_commit_whose_outcome_cannot_be_learnt_is_answered_503_and_not_run_again(
    people: People, settings: Settings, http_for, lose_commit_answers, monkeypatch
) -> None:
    # given a COMMIT whose answer is lost, and a server that then stays away
    person = await people.signed_in(
        await people.organisation(OrganisationKind.PROVIDER), Role.PROVIDER_USER
    )
    http, _ = await http_for(settings)
    client = GraphQLClient(http)
    asked = []

    async def server_stays_away(self, xid):  # type: ignore[no-untyped-def]
        asked.append(xid)
        return None

    monkeypatch.setattr(Database, "_outcome_of", server_stays_away)
    lose_commit_answers(1)
    # when
    response = await client.post(SET_EMAIL_PREFERENCES, token=person.token)
    # then: one attempt, and the client is told to check rather than to send it again
    assert len(asked) == 1 and asked[0] is not None
    assert response.status_code == 503, response.text
    assert response.json()["code"] == "COMMIT_IN_DOUBT"
    assert "retry-after" not in response.headers


async def test_an_exception_reaching_starlette_is_masked_and_logged_once(
    settings: Settings, http_for, monkeypatch, caplog
) -> None:
    # given an endpoint that fails with a secret in its message
    async def broken(request):  # type: ignore[no-untyped-def]
        raise RuntimeError("db password=hunter2")

    monkeypatch.setattr(schema.app, "registration_template", broken)
    http, _ = await http_for(settings)
    # when
    with caplog.at_level(logging.INFO):
        response = await http.get("/registration-template.xlsx")
    # then
    assert response.status_code == 500
    body = response.json()
    assert "hunter2" not in response.text and body["errorId"] in body["error"]
    logged = [r for r in caplog.records if r.exc_info]
    assert len(logged) == 1 and body["errorId"] in logged[0].getMessage()


async def test_a_request_that_waits_too_long_for_a_pooled_connection_gets_503_at_once(
    settings: Settings, registry, caplog
) -> None:
    # given a pool of one connection, held by someone else, and a short wait for it
    db = Database(
        create_engine(settings.database_url, pool_size=1, max_overflow=0, pool_timeout=0.5)
    )
    app = create_app(settings, registry=registry, db=db)
    async with LifespanManager(app) as manager:
        transport = httpx.ASGITransport(app=manager.app, client=("127.0.0.1", 51000))
        async with (
            httpx.AsyncClient(transport=transport, base_url="http://127.0.0.1:8000") as http,
            db.engine.connect() as held,
        ):
            await held.execute(text("SELECT 1"))
            # when
            with caplog.at_level(logging.INFO):
                response = await http.post("/graphql", json={"query": CATEGORIES})
    # then: 503 with Retry-After, not run again (it would only wait again), one line logged
    assert response.status_code == 503, response.text
    assert response.json()["code"] == "UNAVAILABLE" and "retry-after" in response.headers
    assert "after 1 attempt" in " ".join(r.getMessage() for r in caplog.records)
    assert not [r for r in caplog.records if r.exc_info]

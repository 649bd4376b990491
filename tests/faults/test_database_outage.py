"""Every connection of the portal's database terminated (``pg_terminate_backend``, what a
PostgreSQL restart or failover does) while clients read and write: no request fails."""

from __future__ import annotations

import asyncio

import pytest
from sqlalchemy import text

from core.db import Database, create_engine
from tests.faults.load import Conversation, Outcomes, client_loop
from tests.faults.processes import Portal
from tests.graphql_client import GraphQLClient
from tests.messages.conftest import sent_referral
from tests.people import People
from tests.referrals.homes import HomeSpec, provider_with_homes

pytestmark = [pytest.mark.redis, pytest.mark.postgres_only]

CLIENTS = 20
TERMINATIONS = 1


async def terminate_every_connection(database_url: str) -> int:
    """End every server process connected to the portal's database (but the one asking)."""
    admin = Database(create_engine(database_url, pool_size=1))
    try:
        async with admin.connection() as connection:
            ended = await connection.scalar(
                text(
                    "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
                    "WHERE datname = current_database() AND pid <> pg_backend_pid()"
                )
            )
    finally:
        await admin.dispose()
    return int(ended or 0)


async def test_terminating_every_database_connection_under_load_fails_no_request(
    people_of: People, portal: Portal, database_url: str
) -> None:
    # given portal serve (PostgreSQL, no Redis) and 20 clients reading and writing
    serve = await portal.serve()
    people = people_of
    la_id = await people.local_authority("Birmingham", "BIR", ("RESIDENTIAL",))
    caseworker = await people.caseworker(la_id)
    provider = await provider_with_homes(people, HomeSpec(), name="Acorn Care")
    referral_id = await sent_referral(people.client, caseworker)
    conversation = Conversation(portal.base_url, caseworker.token, referral_id, provider.id)
    outcomes, stop = Outcomes(), asyncio.Event()
    clients = [
        asyncio.create_task(client_loop(conversation, outcomes, stop, n)) for n in range(CLIENTS)
    ]
    # when every connection of the database is terminated under load
    ended = []
    try:
        for _ in range(TERMINATIONS):
            await asyncio.sleep(3)
            ended.append(await terminate_every_connection(database_url))
        await asyncio.sleep(3)
    finally:
        stop.set()
        await asyncio.gather(*clients)
    # then no request failed, and the server's log says so without a traceback
    assert all(n >= 1 for n in ended), ended
    assert sum(outcomes.ok.values()) > 2 * CLIENTS, outcomes.ok
    log = serve.text()
    answered_503 = [line for line in log.splitlines() if "503" in line or "COMMIT" in line]
    assert outcomes.failed == [], (outcomes.failed[:10], answered_503[:20])
    assert "Traceback" not in log, log[-5000:]
    assert "lost the database connection" in log
    assert serve.running
    assert isinstance(people.client, GraphQLClient)

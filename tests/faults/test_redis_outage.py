"""Redis stopped while people sign in, write and are subscribed, then started again: sign-in
and writes work throughout, what was written meanwhile reaches subscribers and inboxes
afterwards, the worker and the scheduler keep running, and the outage is a few log lines."""

from __future__ import annotations

import asyncio
import time

import httpx
import pytest
from sqlalchemy import func, select

from core.db import Database
from core.identity.roles import Role
from core.models import OutboxEmail
from tests.faults.processes import Portal, RedisServer, Relay, eventually
from tests.graphql_client import GraphQLClient
from tests.messages.conftest import sent_referral
from tests.messages.operations import SEND, message
from tests.notifications.helpers import Subscriber, gql_subscriber
from tests.people import People
from tests.referrals.homes import HomeSpec, provider_with_homes

pytestmark = [pytest.mark.redis, pytest.mark.postgres_only]

#: As long as the issue's "Done when" says: the log must stay quiet for all of it.
OUTAGE_SECONDS = 30
#: Lines about Redis a process may log for one outage (one WARNING, one INFO, and a line
#: saying how many held-back events were published).
REDIS_LINES_ALLOWED = 4


async def _unsent(db: Database) -> int:
    async with db.session() as session:
        return int(
            await session.scalar(select(func.count()).where(OutboxEmail.sent_at.is_(None))) or 0
        )


async def _outbox_count(db: Database) -> int:
    async with db.session() as session:
        return int(await session.scalar(select(func.count()).select_from(OutboxEmail)) or 0)


def _redis_lines(text: str) -> list[str]:
    return [line for line in text.splitlines() if "redis" in line.lower()]


def _complaints(text: str) -> list[str]:
    """Lines logged at WARNING or above."""
    return [
        line
        for line in text.splitlines()
        if any(f" {level} " in line for level in ("WARNING", "ERROR", "CRITICAL"))
    ]


async def test_a_redis_outage_stops_nobody_and_loses_nothing(
    people_of: People,
    db: Database,
    portal: Portal,
    redis_server: RedisServer,
    relay: Relay,
    http_to: httpx.AsyncClient,
) -> None:
    # given serve, worker and scheduler on the test's own Redis; an LA caseworker who sent a
    # referral to a provider, whose user is subscribed to notifications
    portal.env["PORTAL_REDIS_URL"] = redis_server.url
    serve = await portal.serve()
    worker, scheduler = portal.worker(), portal.scheduler()
    people, client = people_of, GraphQLClient(http_to)
    la_id = await people.local_authority("Birmingham", "BIR", ("RESIDENTIAL",))
    caseworker = await people.caseworker(la_id)
    provider = await provider_with_homes(people, HomeSpec(), name="Acorn Care")
    referral_id = await sent_referral(client, caseworker)
    async with gql_subscriber(portal.ws_url, token=provider.admin.token) as ws:
        await asyncio.sleep(0.5)  # the subscription is registered with the hub

        async def write(body: str) -> None:
            sent = await client.data(
                SEND, message(referral_id, body, providerId=provider.id), token=caseworker.token
            )
            assert sent["sendMessage"]["userErrors"] == [], sent

        await write("Before the outage")
        await _next_message_notification(ws, within=15)
        await eventually(lambda: _zero(_unsent(db)), within=60, what="the first email")
        emails_before = await _outbox_count(db)

        # when Redis stops, and meanwhile someone signs in and the LA writes three messages
        redis_server.stop()
        stopped_at = time.monotonic()
        newcomer = await people.signed_in(provider.organisation_id, Role.PROVIDER_USER)
        viewer = await client.data("{ viewer { email } }", token=newcomer.token)
        assert viewer["viewer"]["email"] == newcomer.email
        for n in range(3):
            await write(f"During the outage, {n}")
        # a load balancer is told: not ready while Redis is away (live answers, /health stays)
        ready = await http_to.get("/health/ready")
        assert ready.status_code == 503, ready.text
        assert (await http_to.get("/health/live")).status_code == 200
        await asyncio.sleep(max(0.0, OUTAGE_SECONDS - (time.monotonic() - stopped_at)))
        redis_server.start()

        # then the live events of the three messages arrive, and their emails go
        for _ in range(3):
            await _next_message_notification(ws, within=20)
        assert await _outbox_count(db) >= emails_before + 3 * 2  # the admin and the newcomer
        await eventually(lambda: _zero(_unsent(db)), within=60, what="the outage's emails")
        # and everything works as before, readiness included
        assert (await http_to.get("/health/ready")).status_code == 200
        await write("After the outage")
        await _next_message_notification(ws, within=15)
        await eventually(lambda: _zero(_unsent(db)), within=60, what="the last email")
    assert worker.running and scheduler.running and serve.running
    async with db.session() as session:
        written = set(await session.scalars(select(OutboxEmail.message_id)))
    assert written == set(relay.message_ids())
    # the outage is a few lines in each process's log, none of them a traceback
    for process in (serve, worker, scheduler):
        lines = _redis_lines(process.text())
        assert len(lines) <= REDIS_LINES_ALLOWED, (process.name, lines)
        assert len(_complaints(process.text())) <= 1, (process.name, _complaints(process.text()))
        assert "Traceback" not in process.text(), (process.name, process.text()[-4000:])


async def _next_message_notification(ws: Subscriber, *, within: float) -> None:
    """The next MESSAGE_RECEIVED event (the daily REMINDER may come too: the scheduler
    catches up on it when it starts)."""
    deadline = time.monotonic() + within
    while True:
        event = await ws.next_notification(within=max(0.1, deadline - time.monotonic()))
        if event["kind"] == "MESSAGE_RECEIVED":
            return


async def _zero(count: object) -> bool:
    return await count == 0  # type: ignore[misc]

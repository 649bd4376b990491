"""``subscription { notifications }`` over graphql-transport-ws: authenticated at
connection_init (or by cookie), own notifications only, live across processes."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest
import redis

from core.identity.roles import OrganisationKind, Role
from core.notifications.realtime import CHANNEL
from core.settings import Settings
from schema.node import encode_id
from schema.view import SESSION_COOKIE
from tests.notifications.helpers import (
    TransportWsClient,
    free_port,
    notify_users,
    served,
    wait_until,
)

ROOT = Path(__file__).resolve().parents[2]


async def _person(people):  # type: ignore[no-untyped-def]
    provider = await people.organisation(OrganisationKind.PROVIDER)
    return await people.signed_in(provider, Role.PROVIDER_USER)


async def _subscribed(portal, person) -> None:  # type: ignore[no-untyped-def]
    async def ready() -> bool:
        return portal.state.realtime.subscriber_count(person.user_id) > 0

    await wait_until(ready, within=5, what="the subscription to be registered")


async def test_a_subscriber_receives_its_notification_within_a_second(portal, people, db, settings):
    # given
    person = await _person(people)
    async with served(portal) as url, TransportWsClient.connect(url) as ws:
        ack = await ws.init({"authorization": f"Bearer {person.token}"})
        await ws.subscribe()
        await _subscribed(portal, person)
        # when
        started = time.monotonic()
        [key] = await notify_users(db, settings, person.user_id, message="Offer from Acorn")
        received = await ws.next_notification(within=1.0)
        elapsed = time.monotonic() - started
    # then
    assert ack["type"] == "connection_ack"
    assert received["id"] == encode_id("Notification", key)
    assert received["kind"] == "OFFER_RECEIVED"
    assert received["message"] == "Offer from Acorn"
    assert received["readAt"] is None
    assert elapsed < 1.0


async def test_a_subscriber_receives_only_its_own_notifications(portal, people, db, settings):
    # given
    alice, bob = await _person(people), await _person(people)
    async with (
        served(portal) as url,
        TransportWsClient.connect(url) as alice_ws,
        TransportWsClient.connect(url) as bob_ws,
    ):
        await alice_ws.init({"authorization": f"Bearer {alice.token}"})
        await bob_ws.init({"authorization": f"Bearer {bob.token}"})
        await alice_ws.subscribe()
        await bob_ws.subscribe()
        await _subscribed(portal, alice)
        await _subscribed(portal, bob)
        # when: an event for Alice, then one for Bob (events arrive in order)
        await notify_users(db, settings, alice.user_id, message="for Alice")
        await notify_users(db, settings, bob.user_id, message="for Bob")
        bob_first = await bob_ws.next_notification()
        alice_first = await alice_ws.next_notification()
    # then
    assert bob_first["message"] == "for Bob"
    assert alice_first["message"] == "for Alice"


async def test_the_session_cookie_authenticates_a_subscription(portal, people, db, settings):
    # given
    person = await _person(people)
    async with (
        served(portal) as url,
        TransportWsClient.connect(
            url, headers={"Cookie": f"{SESSION_COOKIE}={person.token}"}
        ) as ws,
    ):
        ack = await ws.init({})
        await ws.subscribe()
        await _subscribed(portal, person)
        # when
        await notify_users(db, settings, person.user_id, message="by cookie")
        received = await ws.next_notification()
    # then
    assert ack["type"] == "connection_ack"
    assert received["message"] == "by cookie"


@pytest.mark.parametrize(
    "payload",
    [{"authorization": "Bearer pps_not-a-real-session"}, {"authorization": "Basic abc"}, {}],
    ids=["unknown-token", "not-bearer", "no-credentials"],
)
async def test_bad_credentials_close_the_connection_with_4403(portal, payload):
    # given
    async with served(portal) as url, TransportWsClient.connect(url) as ws:
        # when
        await ws.send({"type": "connection_init", "payload": payload})
        code = await ws.close_code()
    # then
    assert code == 4403


async def test_a_signed_out_session_cannot_subscribe(portal, people, client):
    # given
    person = await _person(people)
    await client.data("mutation { logout { userErrors { code } } }", token=person.token)
    async with served(portal) as url, TransportWsClient.connect(url) as ws:
        # when
        await ws.send(
            {"type": "connection_init", "payload": {"authorization": f"Bearer {person.token}"}}
        )
        code = await ws.close_code()
    # then
    assert code == 4403


# ---------------------------------------------------------------- across processes (Redis)


def _serve(settings: Settings, port: int) -> subprocess.Popen[bytes]:
    environment = {
        **os.environ,
        "PORTAL_DATABASE_URL": settings.database_url,
        "PORTAL_REDIS_URL": settings.redis_url or "",
        "PORTAL_SECRET_KEY": settings.secret_key,
        "PORTAL_BASE_URL": f"http://127.0.0.1:{port}",
        "PORTAL_ENV": "test",
    }
    return subprocess.Popen(
        [sys.executable, "-m", "portal.cli", "serve", "--port", str(port)],
        cwd=ROOT,
        env=environment,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


@pytest.mark.redis
async def test_a_notification_created_in_another_process_arrives_within_a_second(
    people, db, settings
):
    # given: a real `portal serve` process, and a subscriber on it
    person = await _person(people)
    port = free_port()
    server = _serve(settings, port)
    try:
        async with httpx.AsyncClient() as http:

            async def up() -> bool:
                try:
                    return (await http.get(f"http://127.0.0.1:{port}/health")).status_code == 200
                except httpx.HTTPError:
                    return False

            await wait_until(up, within=60, what="portal serve to start")
        async with TransportWsClient.connect(f"ws://127.0.0.1:{port}/graphql") as ws:
            await ws.init({"authorization": f"Bearer {person.token}"})
            await ws.subscribe()
            client = redis.Redis.from_url(settings.redis_url)

            async def listening() -> bool:
                return dict(client.pubsub_numsub(CHANNEL)).get(CHANNEL.encode(), 0) > 0

            await wait_until(listening, within=10, what="the server's pub/sub connection")
            client.close()
            # when: this test process (not the server) creates the notification
            started = time.monotonic()
            [key] = await notify_users(db, settings, person.user_id, message="from afar")
            received = await ws.next_notification(within=1.0)
            elapsed = time.monotonic() - started
    finally:
        server.terminate()
        server.wait(timeout=20)
    # then
    assert received["id"] == encode_id("Notification", key)
    assert elapsed < 1.0

"""``subscription { notifications }`` over graphql-transport-ws, through Python's ``gql``
client as an integrator would: authenticated at connection_init (or by cookie), own
notifications only, live across processes. (The Node ``graphql-ws`` client and GraphiQL are
tested in tests/standard_clients.)"""

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
from tests.notifications.helpers import (
    free_port,
    gql_connection_refusal,
    gql_subscriber,
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
    async with served(portal) as url, gql_subscriber(url, token=person.token) as subscriber:
        await _subscribed(portal, person)
        # when
        started = time.monotonic()
        [key] = await notify_users(db, settings, person.user_id, message="Offer from Acorn")
        received = await subscriber.next_notification(within=1.0)
        elapsed = time.monotonic() - started
    # then
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
        gql_subscriber(url, token=alice.token) as alice_ws,
        gql_subscriber(url, token=bob.token) as bob_ws,
    ):
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
    async with served(portal) as url, gql_subscriber(url, cookie=person.token) as subscriber:
        await _subscribed(portal, person)
        # when
        await notify_users(db, settings, person.user_id, message="by cookie")
        received = await subscriber.next_notification()
    # then
    assert received["message"] == "by cookie"


@pytest.mark.parametrize(
    "payload",
    [{"authorization": "Bearer pps_not-a-real-session"}, {"authorization": "Basic abc"}, {}],
    ids=["unknown-token", "not-bearer", "no-credentials"],
)
async def test_bad_credentials_close_the_connection_with_4403(portal, payload):
    # given
    async with served(portal) as url:
        # when
        refusal = await gql_connection_refusal(url, payload)
    # then
    assert _close_code(refusal) == 4403


async def test_a_signed_out_session_cannot_subscribe(portal, people, client):
    # given
    person = await _person(people)
    await client.data("mutation { logout { userErrors { code } } }", token=person.token)
    async with served(portal) as url:
        # when
        refusal = await gql_connection_refusal(url, {"authorization": f"Bearer {person.token}"})
    # then
    assert _close_code(refusal) == 4403


def _close_code(error: BaseException) -> int | None:
    """The WebSocket close code behind what gql raised."""
    seen: BaseException | None = error
    while seen is not None:
        code = getattr(getattr(seen, "rcvd", None), "code", None)
        if isinstance(code, int):
            return code
        seen = seen.__cause__ or seen.__context__
    raise AssertionError(f"no close code in {error!r}")


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
        async with gql_subscriber(f"ws://127.0.0.1:{port}/graphql", token=person.token) as ws:
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

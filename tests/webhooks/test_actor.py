"""The ``send_webhooks`` Dramatiq actor: asked for after the commit of a change, and a
``portal worker`` killed mid-POST loses no event (another worker sends it)."""

import asyncio
import subprocess

import pytest

from core.db import Database
from core.jobs.broker import configure_broker, enqueue
from core.settings import Settings
from tests.graphql_client import GraphQLClient
from tests.notifications.helpers import wait_until
from tests.people import People
from tests.webhooks.helpers import (
    deliveries,
    listening,
    send_referral,
)
from tests.worker_process import kill, running_worker, start_worker


async def test_the_actor_sends_what_a_change_wrote(
    client: GraphQLClient, people: People, settings: Settings
) -> None:
    # given a worker running and an LA system listening
    async with listening(client, people) as (la, hooks, _, _):
        async with running_worker(settings):
            # when a referral is sent (nothing else asks for the webhooks)
            await send_referral(client, la)

            async def arrived() -> bool:
                return len(hooks.log) == 1

            # then the actor POSTs the delivery
            await wait_until(arrived, what="the webhook POST")
    [shown] = await deliveries(client, la)
    assert shown["status"] == "DELIVERED"


def _start_worker(settings: Settings) -> subprocess.Popen[bytes]:
    return start_worker(
        settings, PORTAL_WEBHOOK_LEASE_SECONDS="2", PORTAL_WEBHOOK_ALLOW_PRIVATE="true"
    )


@pytest.mark.redis
async def test_a_portal_worker_killed_mid_post_loses_no_event(
    client: GraphQLClient, people: People, db: Database, settings: Settings
) -> None:
    # given a worker POSTing to a receiver that holds the request
    async with listening(client, people, hold=1) as (la, hooks, _, _):
        configure_broker(settings)
        first = _start_worker(settings)
        try:
            await send_referral(client, la)
            arrived = await asyncio.to_thread(hooks.arrived.wait, 60)
            assert arrived, "the worker never POSTed"
            # when it is killed mid-POST, and another worker runs
            kill(first)
        finally:
            kill(first)
        second = _start_worker(settings)
        try:

            async def answered() -> bool:
                enqueue("send_webhooks")  # the periodic sweep
                shown = await deliveries(client, la)
                return len(hooks.log) == 1 and shown[0]["status"] == "DELIVERED"

            await wait_until(answered, within=60, what="the POST after the restart")
        finally:
            kill(second)
    # then the event arrived once more, the same one, and is DELIVERED
    assert hooks.log[0].body == hooks.held[0]
    [shown] = await deliveries(client, la)
    assert (shown["status"], shown["attempts"]) == ("DELIVERED", 2)

import base64
import json
from datetime import timedelta

import pytest
from sqlalchemy import select
from standardwebhooks.webhooks import Webhook, WebhookVerificationError

from core.db import Database
from core.models import OutboxEmail, WebhookDelivery, WebhookEndpoint
from core.models.base import utcnow
from core.settings import Settings
from core.webhooks import delivery as webhook_delivery
from core.webhooks.delivery import MAX_ATTEMPTS, claim_due, deliver_due
from core.webhooks.events import WebhookEvent, emit
from schema.node import decode_any_id
from tests.graphql_client import GraphQLClient
from tests.people import People
from tests.webhooks.helpers import (
    RETRY,
    ROTATE,
    SUMMARY,
    UPDATE_ENDPOINT,
    deliveries,
    endpoint,
    listening,
    local_authority,
    provider,
    send_referral,
)
from tests.webhooks.receiver import receiver


class Clock:
    """A clock the test moves on (backoffs and leases without waiting)."""

    def __init__(self) -> None:
        self.now = utcnow()

    def __call__(self):
        return self.now

    def advance(self, **delta: float) -> None:
        self.now += timedelta(**delta)


def verify(secret: str, received) -> dict:
    """The Standard Webhooks reference implementation's verification."""
    return Webhook(secret).verify(received.body, received.headers)


async def test_a_delivered_referral_is_posted_signed_as_standard_webhooks_specify(
    client: GraphQLClient, people: People, db: Database, settings: Settings
) -> None:
    # given an LA system listening for deliveries, and a provider that matches
    la = await local_authority(people)
    matching = await provider(people)
    with receiver() as hooks:
        _, secret = await endpoint(client, la, hooks.url, ["REFERRAL_DELIVERED"])
        # when a referral is sent and the webhooks go
        referral_id = await send_referral(client, la)
        report = await deliver_due(db, settings)
    # then the receiver got one POST that the reference implementation verifies
    assert report.delivered == 1
    [received] = hooks.log
    event = verify(secret, received)
    assert event["type"] == "REFERRAL_DELIVERED"
    assert event["data"]["referralId"] == referral_id
    subject = decode_any_id(event["data"]["subjectId"])
    assert subject is not None and subject[0] == "ReferralDelivery"
    assert received.headers["webhook-id"].startswith("msg_")
    assert received.headers["webhook-signature"].startswith("v1,")
    assert matching.organisation_id  # the provider it was delivered to


async def test_a_tampered_body_fails_verification(
    client: GraphQLClient, people: People, db: Database, settings: Settings
) -> None:
    async with listening(client, people) as (la, hooks, _, secret):
        await send_referral(client, la)
        await deliver_due(db, settings)
    [received] = hooks.log
    received.body = received.body.replace(b"REFERRAL_DELIVERED", b"OFFER_WITHDRAWN")
    with pytest.raises(WebhookVerificationError):
        verify(secret, received)


async def test_the_payload_holds_ids_and_types_only(
    client: GraphQLClient, people: People, db: Database, settings: Settings
) -> None:
    async with listening(client, people) as (la, hooks, _, _):
        await send_referral(client, la)
        await deliver_due(db, settings)
    [received] = hooks.log
    body = json.loads(received.body)
    assert set(body) == {"type", "timestamp", "data"}
    assert set(body["data"]) == {"subjectId", "referralId"}
    text = received.body.decode()
    for content in (SUMMARY, "FEMALE", "14", "calm home", "B15"):
        assert content not in text.replace(body["timestamp"], "")


async def test_a_receiver_that_fails_three_times_then_succeeds_gets_the_event_once_more(
    client: GraphQLClient, people: People, db: Database, settings: Settings
) -> None:
    # given a receiver that answers 500 three times, then 200
    clock = Clock()
    async with listening(client, people, 500, 502, 503) as (la, hooks, _, secret):
        await send_referral(client, la)
        # when the worker tries, and tries again as each back-off ends
        for _ in range(4):
            await deliver_due(db, settings, clock=clock)
            clock.advance(hours=3)
    # then the receiver's log shows four attempts of one event, the last one answered 200
    assert [r.status for r in hooks.log] == [500, 502, 503, 200]
    assert len({r.headers["webhook-id"] for r in hooks.log}) == 1
    assert len({r.body for r in hooks.log}) == 1
    for received in hooks.log:
        verify(secret, received)
    # and the delivery says so
    [shown] = await deliveries(client, la)
    assert shown["status"] == "DELIVERED"
    assert shown["attempts"] == 4
    assert shown["lastResponseStatus"] == 200
    assert shown["lastError"] is None


async def test_a_failed_attempt_waits_for_its_back_off(
    client: GraphQLClient, people: People, db: Database, settings: Settings
) -> None:
    clock = Clock()
    async with listening(client, people, 500) as (la, _, _, _):
        await send_referral(client, la)
        first = await deliver_due(db, settings, clock=clock)
        again_at_once = await deliver_due(db, settings, clock=clock)
        clock.advance(seconds=6)
        after_back_off = await deliver_due(db, settings, clock=clock)
    assert (first.failed, again_at_once.delivered, again_at_once.failed) == (1, 0, 0)
    assert first.retry_in_ms is not None and 4_000 <= first.retry_in_ms <= 6_000
    assert after_back_off.delivered == 1
    [shown] = await deliveries(client, la)
    assert shown["status"] == "DELIVERED"


async def test_a_delivery_fails_after_its_last_attempt(
    client: GraphQLClient, people: People, db: Database, settings: Settings
) -> None:
    clock = Clock()
    async with listening(client, people, *([500] * MAX_ATTEMPTS)) as (la, hooks, _, _):
        await send_referral(client, la)
        for _ in range(MAX_ATTEMPTS + 1):
            await deliver_due(db, settings, clock=clock)
            clock.advance(hours=11)  # past the longest back-off
            # other deliveries to the endpoint succeed meanwhile: it is not failing for 24 h
            async with db.transaction() as session:
                await session.execute(WebhookEndpoint.__table__.update().values(failing_since=None))
    [shown] = await deliveries(client, la)
    assert len(hooks.log) == MAX_ATTEMPTS
    assert shown["status"] == "FAILED"
    assert shown["attempts"] == MAX_ATTEMPTS
    assert shown["lastError"] == "HTTP 500"


async def test_redirects_are_not_followed(
    client: GraphQLClient, people: People, db: Database, settings: Settings
) -> None:
    async with listening(client, people, 302) as (la, hooks, _, _):
        await send_referral(client, la)
        report = await deliver_due(db, settings)
    assert report.failed == 1
    assert len(hooks.log) == 1  # the Location was not visited
    [shown] = await deliveries(client, la)
    assert shown["lastResponseStatus"] == 302
    assert "redirects are not followed" in shown["lastError"]


async def test_a_worker_killed_mid_delivery_loses_no_event(
    client: GraphQLClient, people: People, db: Database, settings: Settings
) -> None:
    # given a delivery a worker claimed, then died holding (its lease is held)
    clock = Clock()
    async with listening(client, people) as (la, hooks, _, _):
        await send_referral(client, la)
        [claimed] = await claim_due(
            db, now=clock(), lease=timedelta(seconds=settings.webhook_lease_seconds)
        )
        # when another worker looks while the lease holds, then after it ended
        during_lease = await deliver_due(db, settings, clock=clock)
        clock.now = claimed.claimed_until + timedelta(seconds=1)
        after_lease = await deliver_due(db, settings, clock=clock)
    # then the event was sent once, by the second worker
    assert during_lease.delivered == 0
    assert after_lease.delivered == 1
    assert len(hooks.log) == 1
    assert hooks.log[0].headers["webhook-id"] == f"msg_{claimed.id.hex}"


async def test_a_rolled_back_change_writes_no_delivery(
    client: GraphQLClient, people: People, db: Database
) -> None:
    la = await local_authority(people)
    with receiver() as hooks:
        await endpoint(client, la, hooks.url, ["REGISTRATION_SUBMITTED"])
    with pytest.raises(RuntimeError):
        async with db.transaction() as session:
            written = await emit(
                session,
                organisation_id=la.id,
                event=WebhookEvent.REGISTRATION_SUBMITTED,
                subject_type="ProviderRegistration",
                subject_keys=[la.id],
            )
            assert written == 1
            raise RuntimeError("the change failed")
    async with db.session() as session:
        assert (await session.scalars(select(WebhookDelivery))).all() == []


async def test_an_endpoint_failing_for_24_hours_is_disabled_and_its_admins_emailed(
    client: GraphQLClient, people: People, db: Database, settings: Settings
) -> None:
    # given a receiver that always fails
    clock = Clock()
    async with listening(client, people, *([500] * 20)) as (la, hooks, endpoint_id, _):
        await send_referral(client, la)
        await deliver_due(db, settings, clock=clock)
        clock.advance(hours=23)
        await deliver_due(db, settings, clock=clock)
        enabled_after_23_hours = await _enabled(db)
        # when it has failed for more than 24 hours
        clock.advance(hours=2)
        await send_referral(client, la)  # a new event, attempted at once
        await deliver_due(db, settings, clock=clock)
    # then it is disabled, its waiting deliveries failed, and the LA's admin emailed
    assert enabled_after_23_hours is True
    assert await _enabled(db) is False
    shown = await deliveries(client, la)
    assert {d["status"] for d in shown} == {"FAILED"}
    async with db.session() as session:
        emails = (
            await session.scalars(select(OutboxEmail).where(OutboxEmail.kind == "WEBHOOK_DISABLED"))
        ).all()
    assert [e.user_id for e in emails] == [la.admin.user_id]
    assert hooks.url in emails[0].body
    # and nothing more is sent to it
    attempts = len(hooks.log)
    clock.advance(days=2)
    assert (await deliver_due(db, settings, clock=clock)).failed == 0
    assert len(hooks.log) == attempts
    # until an admin enables it again and retries
    enabled = (
        await client.data(
            UPDATE_ENDPOINT, {"input": {"id": endpoint_id, "enabled": True}}, token=la.admin.token
        )
    )["updateWebhookEndpoint"]
    assert enabled["endpoint"]["enabled"] is True


async def _enabled(db: Database) -> bool:
    async with db.session() as session:
        return bool(await session.scalar(select(WebhookEndpoint.enabled)))


async def test_retrying_a_delivery_sends_it_again(
    client: GraphQLClient, people: People, db: Database, settings: Settings
) -> None:
    async with listening(client, people) as (la, hooks, _, _):
        await send_referral(client, la)
        await deliver_due(db, settings)
        [shown] = await deliveries(client, la)
        retried = (await client.data(RETRY, {"id": shown["id"]}, token=la.admin.token))[
            "retryWebhookDelivery"
        ]
        assert retried["userErrors"] == []
        assert retried["delivery"]["status"] == "PENDING"
        await deliver_due(db, settings)
    assert len(hooks.log) == 2
    assert hooks.log[0].headers["webhook-id"] == hooks.log[1].headers["webhook-id"]
    [shown] = await deliveries(client, la)
    assert (shown["status"], shown["attempts"]) == ("DELIVERED", 2)


async def test_a_rotated_secret_signs_what_follows(
    client: GraphQLClient, people: People, db: Database, settings: Settings
) -> None:
    async with listening(client, people) as (la, hooks, endpoint_id, old):
        new = (await client.data(ROTATE, {"id": endpoint_id}, token=la.admin.token))[
            "rotateWebhookSecret"
        ]["secret"]
        await send_referral(client, la)
        await deliver_due(db, settings)
    [received] = hooks.log
    verify(new, received)
    with pytest.raises(WebhookVerificationError):
        verify(old, received)


async def test_an_address_turned_private_is_refused_at_send_time(
    client: GraphQLClient, people: People, db: Database, settings: Settings
) -> None:
    # given an endpoint registered while private addresses were allowed
    async with listening(client, people) as (la, hooks, _, _):
        await send_referral(client, la)
        # when the portal runs without the setting
        strict = settings.model_copy(update={"webhook_allow_private": False})
        report = await deliver_due(db, strict)
    # then nothing is POSTed there
    assert report.failed == 1
    assert hooks.log == []
    [shown] = await deliveries(client, la)
    assert "private, loopback or link-local" in shown["lastError"]


async def test_deliveries_page_newest_first(
    client: GraphQLClient, people: People, db: Database
) -> None:
    from tests.webhooks.helpers import ENDPOINTS

    la = await local_authority(people)
    with receiver() as hooks:
        await endpoint(client, la, hooks.url, ["IPA_SIGNED"])
    for _ in range(3):
        async with db.transaction() as session:
            await emit(
                session,
                organisation_id=la.id,
                event=WebhookEvent.IPA_SIGNED,
                subject_type="IndividualPlacementAgreement",
                subject_keys=[la.id],
            )
    first = (await client.data(ENDPOINTS, {"first": 2}, token=la.admin.token))["webhookEndpoints"][
        0
    ]["deliveries"]
    rest = (
        await client.data(
            ENDPOINTS, {"first": 2, "after": first["pageInfo"]["endCursor"]}, token=la.admin.token
        )
    )["webhookEndpoints"][0]["deliveries"]
    assert first["totalCount"] == 3
    assert (len(first["edges"]), first["pageInfo"]["hasNextPage"]) == (2, True)
    assert (len(rest["edges"]), rest["pageInfo"]["hasNextPage"]) == (1, False)
    created = [e["node"]["createdAt"] for e in first["edges"] + rest["edges"]]
    assert created == sorted(created, reverse=True)


def test_secrets_are_standard_webhooks_secrets() -> None:
    from core.webhooks.signing import new_secret

    secret = new_secret()
    assert secret.startswith("whsec_")
    assert len(base64.b64decode(secret.removeprefix("whsec_"))) == 24
    assert webhook_delivery.TIMEOUT_SECONDS == 10


WORKER = """
import asyncio, sys
from core.db import Database, create_engine
from core.settings import Settings
from core.webhooks.delivery import deliver_due

settings = Settings(
    database_url=sys.argv[1], secret_key=sys.argv[2], env="test", webhook_allow_private=True
)
asyncio.run(deliver_due(Database(create_engine(settings.database_url)), settings))
"""


async def test_a_worker_process_killed_mid_post_loses_no_event(
    client: GraphQLClient, people: People, db: Database, settings: Settings
) -> None:
    import asyncio
    import os
    import signal
    import subprocess
    import sys

    # given a worker process POSTing to a receiver that does not answer
    async with listening(client, people, hold=1) as (la, hooks, _, secret):
        await send_referral(client, la)
        worker = subprocess.Popen(  # noqa: ASYNC220  (killed below, never awaited)
            [sys.executable, "-c", WORKER, settings.database_url, settings.secret_key],
            cwd=os.getcwd(),
        )
        try:
            arrived = await asyncio.to_thread(hooks.arrived.wait, 60)
            assert arrived, "the worker did not POST"
            # when the worker is killed mid-POST
            worker.send_signal(signal.SIGKILL)
            worker.wait(10)
        finally:
            if worker.poll() is None:
                worker.kill()
        # then another worker, once the dead one's lease has ended, sends it
        clock = Clock()
        clock.advance(seconds=settings.webhook_lease_seconds + 1)
        report = await deliver_due(db, settings, clock=clock)
    assert report.delivered == 1
    assert len(hooks.held) == 1
    [received] = hooks.log
    assert received.body == hooks.held[0]
    verify(secret, received)
    [shown] = await deliveries(client, la)
    assert (shown["status"], shown["attempts"]) == ("DELIVERED", 2)

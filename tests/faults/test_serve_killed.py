"""``portal serve`` killed with SIGKILL during concurrent writes: every acknowledged write is
there with its notifications and outbox emails, no referral send is half-written, and every
email goes once a new server, the worker and the scheduler run."""

from __future__ import annotations

import asyncio

import httpx
import pytest
from sqlalchemy import func, select

from core.db import Database
from core.models import (
    Message,
    Notification,
    OutboxEmail,
    Referral,
    ReferralDelivery,
)
from schema.node import decode_id
from tests.faults.load import Conversation, Outcomes, client_loop
from tests.faults.processes import Portal, RedisServer, Relay, eventually
from tests.messages.conftest import sent_referral
from tests.messages.operations import CREATE_REFERRAL, SEND_REFERRAL
from tests.people import People
from tests.referrals.homes import HomeSpec, provider_with_homes

pytestmark = [pytest.mark.redis, pytest.mark.postgres_only]

WRITERS = 16
DRAFTS = 12


async def _send_drafts(
    http: httpx.AsyncClient, token: str, drafts: list[str], sent: list[str]
) -> None:
    """Send the drafts one after another until the server goes; record those acknowledged."""
    for draft in drafts:
        try:
            response = await http.post(
                "/graphql",
                json={"query": SEND_REFERRAL, "variables": {"id": draft}},
                headers={"Authorization": f"Bearer {token}"},
            )
        except httpx.TransportError:
            return
        body = response.json()
        if response.status_code == 200 and body["data"]["sendReferral"]["userErrors"] == []:
            sent.append(draft)


async def test_a_killed_server_loses_no_acknowledged_write_and_half_writes_nothing(
    people_of: People,
    db: Database,
    portal: Portal,
    redis_server: RedisServer,
    relay: Relay,
    http_to: httpx.AsyncClient,
) -> None:
    # given serve, worker and scheduler; a referral the LA writes about, and drafts to send
    portal.env["PORTAL_REDIS_URL"] = redis_server.url
    serve = await portal.serve()
    portal.worker()
    portal.scheduler()
    people = people_of
    la_id = await people.local_authority("Birmingham", "BIR", ("RESIDENTIAL",))
    caseworker = await people.caseworker(la_id)
    provider = await provider_with_homes(people, HomeSpec(), name="Acorn Care")
    await provider_with_homes(people, HomeSpec(), name="Birch Homes")
    referral_id = await sent_referral(people.client, caseworker)
    drafts = []
    for _ in range(DRAFTS):
        created = await people.client.data(CREATE_REFERRAL, token=caseworker.token)
        drafts.append(created["createReferral"]["referral"]["id"])
    conversation = Conversation(portal.base_url, caseworker.token, referral_id, provider.id)
    outcomes, stop, sent = Outcomes(), asyncio.Event(), []
    writers = [
        asyncio.create_task(
            client_loop(conversation, outcomes, stop, n, stop_at_first_transport_error=True)
        )
        for n in range(WRITERS)
    ]
    sender = asyncio.create_task(_send_drafts(http_to, caseworker.token, drafts, sent))
    # when the server is killed mid-way
    await eventually(
        lambda: _at_least(outcomes.acknowledged, 20), within=60, what="twenty acknowledged writes"
    )
    serve.kill()
    stop.set()
    await asyncio.gather(*writers, sender)
    # then every acknowledged message is there, each with its notifications and emails
    acknowledged = {decode_id(m, "Message") for m in outcomes.acknowledged}
    async with db.session() as session:
        stored = set(await session.scalars(select(Message.id)))
        messages = await session.scalar(select(func.count()).select_from(Message))
        events = await session.scalar(
            select(func.count(func.distinct(Notification.event_id))).where(
                Notification.kind == "MESSAGE_RECEIVED"
            )
        )
        notified = await session.scalar(
            select(func.count()).where(Notification.kind == "MESSAGE_RECEIVED")
        )
        emailed = await session.scalar(
            select(func.count()).where(OutboxEmail.kind == "MESSAGE_RECEIVED")
        )
        referrals = (await session.execute(select(Referral.id, Referral.status))).all()
        delivered = dict(
            (
                await session.execute(
                    select(ReferralDelivery.referral_id, func.count()).group_by(
                        ReferralDelivery.referral_id
                    )
                )
            ).all()
        )
        received = dict(
            (
                await session.execute(
                    select(Notification.subject_key, func.count())
                    .where(Notification.kind == "REFERRAL_RECEIVED")
                    .group_by(Notification.subject_key)
                )
            ).all()
        )
    assert len(outcomes.acknowledged) >= 20 and acknowledged <= stored
    assert messages == events and notified == emailed and notified >= messages
    # no half-written send: a SENT referral has its deliveries and their notifications, a
    # draft has neither; every acknowledged send is SENT
    for key, status in referrals:
        if status == "SENT":
            assert delivered.get(key, 0) == 2 and received.get(key, 0) >= 2, key
        else:
            assert key not in delivered and key not in received, key
    sent_keys = {decode_id(s, "Referral") for s in sent}
    assert sent_keys, "no referral was sent before the kill"
    assert sent_keys <= {key for key, status in referrals if status == "SENT"}
    # and once a server runs again, every email goes
    await portal.serve()

    async def all_sent() -> bool:
        async with db.session() as session:
            return not await session.scalar(
                select(func.count()).where(OutboxEmail.sent_at.is_(None))
            )

    await eventually(all_sent, within=90, what="every email after the restart")
    async with db.session() as session:
        written = set(await session.scalars(select(OutboxEmail.message_id)))
    assert written == set(relay.message_ids())


async def _at_least(items: list[str], count: int) -> bool:
    return len(items) >= count

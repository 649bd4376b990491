"""Emails survive a worker killed mid-batch and an SMTP relay that goes away: real
``portal worker`` and ``portal scheduler`` processes, a real relay, the test's own Redis."""

from __future__ import annotations

import time
from collections import Counter

import pytest
from sqlalchemy import func, select

from core.db import Database
from core.identity.roles import OrganisationKind, Role
from core.models import OutboxEmail
from tests.faults.processes import Portal, RedisServer, Relay, eventually
from tests.notifications.helpers import notify_users
from tests.people import People

pytestmark = [pytest.mark.redis, pytest.mark.postgres_only]

LEASE_SECONDS = 5
SWEEP_SECONDS = 5


async def _outbox(db: Database) -> list[OutboxEmail]:
    async with db.session() as session:
        return list(await session.scalars(select(OutboxEmail)))


async def _unsent(db: Database) -> int:
    async with db.session() as session:
        return int(
            await session.scalar(select(func.count()).where(OutboxEmail.sent_at.is_(None))) or 0
        )


async def _emails_to(people: People, db: Database, settings, count: int) -> None:  # type: ignore[no-untyped-def]
    provider = await people.organisation(OrganisationKind.PROVIDER)
    users = [(await people.account(provider, Role.PROVIDER_USER)).user_id for _ in range(count)]
    await notify_users(db, settings, *users)


async def test_a_worker_killed_mid_batch_delivers_every_email_within_the_lease_and_one_sweep(
    people: People, db: Database, settings, portal: Portal, redis_server: RedisServer, relay: Relay
) -> None:
    # given 40 emails, a slow relay (0.1 s a message), a worker and the scheduler
    relay.delay = 0.1
    portal.env["PORTAL_REDIS_URL"] = redis_server.url
    await _emails_to(people, db, settings, 40)
    portal.scheduler()
    worker = portal.worker()
    await eventually(
        lambda: _async(len(relay.accepted) >= 10), within=60, what="the worker to be mid-batch"
    )
    # when the worker is killed (SIGKILL) mid-batch, and started again
    worker.kill()
    killed_at = time.monotonic()
    second = portal.worker()
    await eventually(
        lambda: _async("ready for action" in second.text()), within=90, what="the new worker"
    )
    took = await eventually(
        lambda: _unsent_is_zero(db), within=LEASE_SECONDS + SWEEP_SECONDS + 45, what="every email"
    )
    # then every email went, each with its row's stable Message-ID, within the lease and a sweep
    rows = await _outbox(db)
    counts = Counter(relay.message_ids())
    assert set(counts) == {r.message_id for r in rows} and len(rows) == 40
    # duplicates only of those in flight when it died: sent before the kill, at most one per
    # worker thread
    duplicates = [m for m, n in counts.items() if n > 1]
    assert len(duplicates) <= 2 and all(n <= 2 for n in counts.values())
    first_accepted = {m: t for t, m in reversed(relay.accepted)}
    assert all(first_accepted[m] <= killed_at for m in duplicates)
    # counted from the new worker's start (its boot takes long on a busy machine); the 30
    # emails left take 3 s at the relay's pace: 10 s allowed beyond the lease and a sweep
    assert took <= LEASE_SECONDS + SWEEP_SECONDS + 10, took


async def test_emails_written_while_the_relay_is_down_go_when_it_returns(
    people: People, db: Database, settings, portal: Portal, redis_server: RedisServer, relay: Relay
) -> None:
    # given a worker and the scheduler that delivered a first email
    portal.env["PORTAL_REDIS_URL"] = redis_server.url
    portal.scheduler()
    portal.worker()
    await _emails_to(people, db, settings, 1)
    await eventually(lambda: _unsent_is_zero(db), within=60, what="the first email")
    # when the relay stops, ten emails are written, and every one has failed once
    relay.stop()
    await _emails_to(people, db, settings, 10)

    async def all_failed() -> bool:
        rows = [r for r in await _outbox(db) if r.sent_at is None]
        return len(rows) == 10 and all(r.last_error for r in rows)

    await eventually(all_failed, within=60, what="every email to record its failure")
    relay.start()
    # then each goes once, with its Message-ID, after its back-off (2 s, then 10 s)
    await eventually(
        lambda: _unsent_is_zero(db), within=60, what="the emails after the relay returned"
    )
    rows = await _outbox(db)
    assert sorted(relay.message_ids()) == sorted(r.message_id for r in rows)
    assert all(r.last_error is None and r.sent_at is not None for r in rows)


async def _async(value: bool) -> bool:
    return value


async def _unsent_is_zero(db: Database) -> bool:
    return await _unsent(db) == 0

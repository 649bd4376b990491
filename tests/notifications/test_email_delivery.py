"""Outbox emails reach a real SMTP server (aiosmtpd) exactly once: first time, after a
refused attempt, and when the worker is killed mid-batch (``kill -9``)."""

from __future__ import annotations

import asyncio
import subprocess
from collections.abc import Iterator

import pytest
from sqlalchemy import func, select

from core.db import Database
from core.identity.roles import OrganisationKind, Role
from core.jobs.broker import configure_broker, enqueue
from core.models import OutboxEmail
from core.settings import Settings
from tests.notifications.helpers import SmtpHandler, notify_users, smtp_server, wait_until
from tests.worker_process import kill, running_worker, start_worker


@pytest.fixture
def smtp() -> Iterator[tuple[SmtpHandler, str]]:
    handler = SmtpHandler()
    with smtp_server(handler) as url:
        yield handler, url


@pytest.fixture
def mail_settings(settings: Settings, smtp: tuple[SmtpHandler, str]) -> Settings:
    return settings.model_copy(update={"smtp_url": smtp[1]})


async def _sent(db: Database) -> int:
    async with db.session() as session:
        return int(
            await session.scalar(select(func.count()).where(OutboxEmail.sent_at.is_not(None))) or 0
        )


async def _outbox(db: Database) -> list[OutboxEmail]:
    async with db.session() as session:
        return list(await session.scalars(select(OutboxEmail)))


async def _recipients(people, count: int):  # type: ignore[no-untyped-def]
    provider = await people.organisation(OrganisationKind.PROVIDER)
    return [await people.account(provider, Role.PROVIDER_USER) for _ in range(count)]


async def test_an_email_is_delivered_once_with_its_message_id(people, db, mail_settings, smtp):
    # given
    handler, _ = smtp
    [person] = await _recipients(people, 1)
    async with running_worker(mail_settings):
        # when: the unit of work commits; its after-commit hook enqueues send_outbox
        await notify_users(db, mail_settings, person.user_id, message="An offer arrived.")
        await wait_until(lambda: _sent_is(db, 1), what="the email to be sent")
    # then
    [row] = await _outbox(db)
    assert handler.message_ids() == [row.message_id]
    message = handler.accepted[0]
    assert message["To"] == person.email
    assert "An offer arrived." in message.get_payload()
    assert row.attempts == 1 and row.last_error is None and row.claimed_until is None


async def _sent_is(db: Database, count: int) -> bool:
    return await _sent(db) == count


async def test_a_refused_email_is_retried_and_delivered_once(people, db, mail_settings, smtp):
    # given: the server refuses the first attempt (451)
    handler, _ = smtp
    handler.fail_first = 1
    [person] = await _recipients(people, 1)
    async with running_worker(mail_settings):
        # when
        await notify_users(db, mail_settings, person.user_id)
        await wait_until(lambda: _sent_is(db, 1), within=30, what="the retried email")
    # then
    [row] = await _outbox(db)
    assert handler.attempts == 2
    assert handler.message_ids() == [row.message_id]
    assert row.attempts == 2 and row.last_error is None


async def test_without_smtp_emails_stay_in_the_outbox(people, db, settings):
    # given
    [person] = await _recipients(people, 1)
    async with running_worker(settings):
        # when
        await notify_users(db, settings, person.user_id)
        enqueue("send_outbox")
        await wait_until(lambda: _outbox_has(db, 1), what="the outbox row")
    # then
    [row] = await _outbox(db)
    assert row.sent_at is None and row.attempts == 0


async def _outbox_has(db: Database, count: int) -> bool:
    return len(await _outbox(db)) == count


# ---------------------------------------------------------------- a worker killed mid-batch


def _start_worker(settings: Settings) -> subprocess.Popen[bytes]:
    return start_worker(
        settings, PORTAL_SMTP_URL=settings.smtp_url or "", PORTAL_OUTBOX_LEASE_SECONDS="2"
    )


@pytest.mark.redis
async def test_a_worker_killed_mid_batch_loses_no_email_and_sends_none_twice(
    people, db, mail_settings, smtp
):
    # given: five emails; the SMTP server holds the third one in flight
    handler, _ = smtp
    handler.block_at = 3
    recipients = await _recipients(people, 5)
    configure_broker(mail_settings)
    first = _start_worker(mail_settings)
    try:
        await notify_users(db, mail_settings, *(p.user_id for p in recipients))
        await asyncio.to_thread(handler.blocked.wait, 60)
        assert handler.blocked.is_set(), "the worker never reached the third email"
        # when: the worker dies mid-batch, and another one takes over
        kill(first)
    finally:
        kill(first)
    second = _start_worker(mail_settings)
    try:

        async def all_sent() -> bool:
            enqueue("send_outbox")  # the periodic outbox sweep
            return await _sent_is(db, 5)

        await wait_until(all_sent, within=60, what="every email after the restart")
    finally:
        kill(second)
    # then
    rows = await _outbox(db)
    assert sorted(handler.message_ids()) == sorted(r.message_id for r in rows)
    assert all(r.sent_at is not None for r in rows)

"""Delivering the outbox: claim due emails, send each with its stable Message-ID, mark it sent.

Never loses an email, sends each once:

* A worker *claims* due rows with one conditional UPDATE (``FOR UPDATE SKIP LOCKED`` on
  PostgreSQL; SQLite serialises writers): it sets ``claimed_until`` (a lease) and counts the
  attempt. Another worker skips rows under a live lease.
* After the SMTP server accepted a message, the row is marked sent at once (guarded by the
  lease, so a worker that lost its lease never overwrites the new holder's state).
* A failure records ``last_error`` and a back-off (``next_attempt_at``) and frees the row.
* A worker killed mid-batch (``kill -9``) leaves its rows claimed until the lease ends;
  then any worker takes them over. The only duplicate possible is a message accepted by the
  SMTP server just before the worker died, and it carries the same Message-ID.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import and_, or_, select, update

from core.db import Database, rowcount
from core.models import OutboxEmail
from core.models.base import utcnow
from core.notifications.outbox import PendingEmail
from core.notifications.smtp import SMTP_TIMEOUT, Mailer, mailer_for
from core.settings import Settings

logger = logging.getLogger(__name__)

BATCH_SIZE = 20
#: Seconds before retry n (1-based); the last value repeats: a failing email is retried
#: hourly until it goes, never dropped (``last_error`` says why it has not gone).
BACKOFF_SECONDS = (2, 10, 60, 300, 1800, 3600)

#: A send is started only this long before the lease ends (connect + a command may time out).
SEND_MARGIN = timedelta(seconds=3 * SMTP_TIMEOUT)

_outbox = OutboxEmail.__table__


def retry_delay(attempts: int) -> timedelta:
    return timedelta(seconds=BACKOFF_SECONDS[min(max(attempts, 1), len(BACKOFF_SECONDS)) - 1])


def _due(now: datetime):
    return and_(
        _outbox.c.sent_at.is_(None),
        or_(_outbox.c.claimed_until.is_(None), _outbox.c.claimed_until < now),
        or_(_outbox.c.next_attempt_at.is_(None), _outbox.c.next_attempt_at <= now),
    )


async def claim_due(
    db: Database, *, now: datetime, lease: timedelta, limit: int = BATCH_SIZE
) -> list[PendingEmail]:
    """Claim up to ``limit`` due emails, oldest first, for ``lease``."""
    until = now + lease
    async with db.transaction() as session:
        candidates = (
            select(_outbox.c.id).where(_due(now)).order_by(_outbox.c.created_at).limit(limit)
        )
        if not db.is_sqlite:
            candidates = candidates.with_for_update(skip_locked=True)
        rows = (
            await session.execute(
                update(_outbox)
                .where(_outbox.c.id.in_(candidates.scalar_subquery()), _due(now))
                .values(claimed_until=until, attempts=_outbox.c.attempts + 1)
                .returning(
                    _outbox.c.id,
                    _outbox.c.recipient,
                    _outbox.c.subject,
                    _outbox.c.body,
                    _outbox.c.message_id,
                    _outbox.c.created_at,
                    _outbox.c.attempts,
                )
            )
        ).all()
    # The row holds every field before claimed_until, in order.
    claimed = [PendingEmail(*row, until) for row in rows]  # type: ignore[call-arg]
    claimed.sort(key=lambda e: e.created_at)
    return claimed


async def mark_sent(db: Database, email: PendingEmail, *, now: datetime) -> bool:
    """Record that ``email`` went; False if its lease had passed to another worker."""
    async with db.transaction() as session:
        result = await session.execute(
            update(_outbox)
            .where(_outbox.c.id == email.id, _outbox.c.claimed_until == email.claimed_until)
            .values(sent_at=now, claimed_until=None, last_error=None)
        )
    return rowcount(result) == 1


async def mark_failed(db: Database, email: PendingEmail, error: str, *, now: datetime) -> datetime:
    """Record a failed attempt and free the row until its back-off ends; returns that time."""
    next_attempt = now + retry_delay(email.attempts)
    async with db.transaction() as session:
        await session.execute(
            update(_outbox)
            .where(_outbox.c.id == email.id, _outbox.c.claimed_until == email.claimed_until)
            .values(claimed_until=None, next_attempt_at=next_attempt, last_error=error[:2000])
        )
    return next_attempt


@dataclass
class DeliveryReport:
    sent: int = 0
    failed: int = 0
    #: When a failed email is due again (ms from now), so the caller can come back then.
    retry_in_ms: int | None = None


async def deliver_due(
    db: Database,
    settings: Settings,
    *,
    mailer: Mailer | None = None,
    clock: Callable[[], datetime] = utcnow,
    max_batches: int = 50,
) -> DeliveryReport:
    """Send the due outbox emails in batches. Without an SMTP server they stay queued."""
    report = DeliveryReport()
    mailer = mailer or mailer_for(settings)
    if mailer is None:
        return report
    lease = timedelta(seconds=settings.outbox_lease_seconds)
    margin = min(SEND_MARGIN, lease / 2)
    earliest_retry: datetime | None = None
    try:
        for _ in range(max_batches):
            batch = await claim_due(db, now=clock(), lease=lease)
            if not batch:
                break
            for email in batch:
                if clock() + margin >= email.claimed_until:
                    # Too close to the end of the lease (slow server): leave it for the next
                    # claim rather than risk two workers sending it.
                    continue
                try:
                    await mailer.send(email)
                except Exception as error:
                    logger.warning("email %s not sent: %s", email.message_id, error)
                    retry_at = await mark_failed(
                        db, email, f"{type(error).__name__}: {error}", now=clock()
                    )
                    report.failed += 1
                    earliest_retry = min(earliest_retry or retry_at, retry_at)
                    continue
                if await mark_sent(db, email, now=clock()):
                    report.sent += 1
                else:
                    logger.warning(
                        "email %s sent after its claim expired; another worker may send it "
                        "again with the same Message-ID",
                        email.message_id,
                    )
    finally:
        await mailer.close()
    if earliest_retry is not None:
        delay = (earliest_retry - clock()).total_seconds()
        report.retry_in_ms = max(int(delay * 1000), 0) + 50
    return report

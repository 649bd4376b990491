"""Sending webhook deliveries: claim due rows, POST each signed, record what happened.

As the email outbox (core/notifications/delivery.py), and never losing an event:

* A worker *claims* due rows with one conditional UPDATE (``FOR UPDATE SKIP LOCKED`` on
  PostgreSQL) under a lease and counts the attempt; other workers skip leased rows.
* The batch is POSTed concurrently (10 s timeout, redirects not followed); a 2xx answer is
  delivered, anything else a failure that backs off on the Standard Webhooks schedule
  (5 s, 5 min, 30 min, 2 h, 5 h, 10 h, 10 h) and is FAILED after the last attempt.
* The outcomes of a batch are recorded in one unit of work, guarded by the lease, so a worker
  that lost its lease never overwrites the new holder's state.
* A worker killed mid-batch leaves its rows leased until the lease ends; then any worker takes
  them over. A receiver may then get an event twice, with the same ``webhook-id``.
* An endpoint whose attempts have failed for 24 hours without a success is disabled, its
  waiting deliveries FAILED, and its LA's admins emailed, in one unit of work.
"""

from __future__ import annotations

import asyncio
import logging
import time
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

import httpx
from sqlalchemy import ColumnElement, and_, bindparam, func, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from core.db import Database
from core.identity.roles import Role
from core.identity.secrets import decrypt_secret
from core.models import User, UserRole, WebhookDelivery, WebhookEndpoint
from core.models.base import utcnow
from core.notifications.outbox import queue_email
from core.observability.metrics import WEBHOOK_ATTEMPTS, WEBHOOK_ENDPOINTS_DISABLED
from core.settings import Settings
from core.webhooks.signing import headers
from core.webhooks.urls import RefusedAddress, check_reachable

logger = logging.getLogger(__name__)

TIMEOUT_SECONDS = 10.0
BATCH_SIZE = 100
CONCURRENCY = 20
#: Seconds before attempt n+1 after attempt n failed (the first attempt is at once); after
#: the last attempt the delivery is FAILED (``retryWebhookDelivery`` sends it again).
BACKOFF_SECONDS = (5, 300, 1800, 7200, 18000, 36000, 36000)
MAX_ATTEMPTS = len(BACKOFF_SECONDS) + 1
DISABLE_AFTER = timedelta(hours=24)

_deliveries = WebhookDelivery.__table__
_endpoints = WebhookEndpoint.__table__


@dataclass(frozen=True)
class Claimed:
    id: uuid.UUID
    endpoint_id: uuid.UUID
    body: str
    attempts: int
    claimed_until: datetime


@dataclass(frozen=True)
class Target:
    url: str
    secret: str | None
    #: Why the URL may not be POSTed to now (it resolves to a private address), or None.
    refused: str | None = None


@dataclass(frozen=True)
class Outcome:
    delivery: Claimed
    at: datetime
    status_code: int | None
    error: str | None

    @property
    def delivered(self) -> bool:
        return self.error is None


def _due(now: datetime) -> ColumnElement[bool]:
    return and_(
        _deliveries.c.status == "PENDING",
        or_(_deliveries.c.claimed_until.is_(None), _deliveries.c.claimed_until < now),
        or_(_deliveries.c.next_attempt_at.is_(None), _deliveries.c.next_attempt_at <= now),
    )


async def claim_due(
    db: Database, *, now: datetime, lease: timedelta, limit: int = BATCH_SIZE
) -> list[Claimed]:
    """Claim up to ``limit`` due deliveries of enabled endpoints, oldest first."""
    until = now + lease
    async with db.transaction() as session:
        enabled = select(_endpoints.c.id).where(_endpoints.c.enabled.is_(True))
        candidates = (
            select(_deliveries.c.id)
            .where(_due(now), _deliveries.c.endpoint_id.in_(enabled))
            .order_by(_deliveries.c.created_at)
            .limit(limit)
        )
        if not db.is_sqlite:
            candidates = candidates.with_for_update(of=_deliveries, skip_locked=True)
        rows = (
            await session.execute(
                update(_deliveries)
                .where(_deliveries.c.id.in_(candidates.scalar_subquery()), _due(now))
                .values(claimed_until=until, attempts=_deliveries.c.attempts + 1)
                .returning(
                    _deliveries.c.id,
                    _deliveries.c.endpoint_id,
                    _deliveries.c.body,
                    _deliveries.c.attempts,
                )
            )
        ).all()
    return [
        Claimed(id=key, endpoint_id=endpoint_id, body=body, attempts=attempts, claimed_until=until)
        for key, endpoint_id, body, attempts in rows
    ]


async def _targets(
    db: Database, settings: Settings, endpoint_ids: set[uuid.UUID]
) -> dict[uuid.UUID, Target]:
    async with db.connection() as connection:
        rows = (
            await connection.execute(
                select(_endpoints.c.id, _endpoints.c.url, _endpoints.c.secret_encrypted).where(
                    _endpoints.c.id.in_(endpoint_ids)
                )
            )
        ).all()
    targets = {}
    for key, url, secret in rows:
        refused = None
        if not settings.webhook_allow_private:  # once per endpoint and batch, not per POST
            try:
                await check_reachable(url)
            except RefusedAddress as error:
                refused = f"refused: {error}"
        targets[key] = Target(url, decrypt_secret(settings.secret_key, secret), refused)
    return targets


async def post(
    client: httpx.AsyncClient,
    target: Target | None,
    delivery: Claimed,
    clock: Callable[[], datetime],
) -> Outcome:
    """One signed POST; a 2xx answer delivers it, anything else is a failure."""
    if target is None or target.secret is None:
        return Outcome(delivery, clock(), None, "the endpoint or its secret is gone")
    if target.refused is not None:
        return Outcome(delivery, clock(), None, target.refused)
    try:
        body = delivery.body.encode()
        message_id = f"msg_{delivery.id.hex}"
        sent = headers(target.secret, message_id, int(time.time()), body)
        response = await client.post(target.url, content=body, headers=sent)
    except httpx.TimeoutException:
        return Outcome(delivery, clock(), None, f"no answer within {TIMEOUT_SECONDS:g} s")
    except httpx.HTTPError as error:
        return Outcome(delivery, clock(), None, f"{type(error).__name__}: {error}"[:500])
    status = response.status_code
    if 200 <= status < 300:
        return Outcome(delivery, clock(), status, None)
    if 300 <= status < 400:
        return Outcome(delivery, clock(), status, f"HTTP {status}: redirects are not followed")
    return Outcome(delivery, clock(), status, f"HTTP {status}")


def retry_delay(attempts: int) -> timedelta:
    return timedelta(seconds=BACKOFF_SECONDS[min(max(attempts, 1), len(BACKOFF_SECONDS)) - 1])


async def record_outcomes(db: Database, settings: Settings, outcomes: Sequence[Outcome]) -> None:
    """Write a batch's outcomes (each only if its lease still holds), clear or start the
    endpoints' failure runs, and disable endpoints failing for 24 hours."""
    if not outcomes:
        return
    changes = []
    for outcome in outcomes:
        delivery = outcome.delivery
        values = {
            "b_id": delivery.id,
            "b_until": delivery.claimed_until,
            "b_at": outcome.at,
            "b_code": outcome.status_code,
            "b_error": outcome.error[:500] if outcome.error else None,
        }
        if outcome.delivered:
            values |= {"b_status": "DELIVERED", "b_next": None, "b_done": outcome.at}
        elif delivery.attempts >= MAX_ATTEMPTS:
            values |= {"b_status": "FAILED", "b_next": None, "b_done": None}
        else:
            values |= {
                "b_status": "PENDING",
                "b_next": outcome.at + retry_delay(delivery.attempts),
                "b_done": None,
            }
        changes.append(values)
    succeeded = {o.delivery.endpoint_id for o in outcomes if o.delivered}
    failed = {o.delivery.endpoint_id: o.at for o in outcomes if not o.delivered}
    failed = {k: v for k, v in failed.items() if k not in succeeded}
    async with db.transaction() as session:
        await session.execute(
            update(_deliveries)
            .where(
                _deliveries.c.id == bindparam("b_id"),
                _deliveries.c.claimed_until == bindparam("b_until"),
            )
            .values(
                status=bindparam("b_status"),
                next_attempt_at=bindparam("b_next"),
                delivered_at=bindparam("b_done"),
                claimed_until=None,
                last_attempt_at=bindparam("b_at"),
                last_response_status=bindparam("b_code"),
                last_error=bindparam("b_error"),
            )
            .execution_options(synchronize_session=False),
            changes,
        )
        if succeeded:
            await session.execute(
                update(_endpoints)
                .where(_endpoints.c.id.in_(succeeded), _endpoints.c.failing_since.is_not(None))
                .values(failing_since=None)
            )
        for endpoint_id, at in failed.items():
            await session.execute(
                update(_endpoints)
                .where(_endpoints.c.id == endpoint_id, _endpoints.c.failing_since.is_(None))
                .values(failing_since=at)
            )
        if failed:
            await _disable_long_failing(session, settings, set(failed), now=max(failed.values()))


async def _disable_long_failing(
    session: AsyncSession, settings: Settings, endpoint_ids: set[uuid.UUID], *, now: datetime
) -> None:
    rows = (
        await session.execute(
            select(_endpoints.c.id, _endpoints.c.organisation_id, _endpoints.c.url)
            .where(
                _endpoints.c.id.in_(endpoint_ids),
                _endpoints.c.enabled.is_(True),
                _endpoints.c.failing_since <= now - DISABLE_AFTER,
            )
            .with_for_update()
        )
    ).all()
    for endpoint_id, organisation_id, url in rows:
        reason = "failing for 24 hours"
        await session.execute(
            update(_endpoints)
            .where(_endpoints.c.id == endpoint_id)
            .values(enabled=False, disabled_reason=reason)
        )
        await session.execute(
            update(_deliveries)
            .where(_deliveries.c.endpoint_id == endpoint_id, _deliveries.c.status == "PENDING")
            .values(
                status="FAILED",
                claimed_until=None,
                next_attempt_at=None,
                last_error=func.coalesce(_deliveries.c.last_error, "") + " (endpoint disabled)",
            )
        )
        admins = (
            await session.execute(
                select(User.id, User.email, User.name)
                .join(UserRole, UserRole.user_id == User.id)
                .where(
                    User.organisation_id == organisation_id,
                    User.is_active.is_(True),
                    UserRole.role == Role.LA_ADMIN.value,
                )
            )
        ).all()
        for user_id, address, name in admins:
            queue_email(
                session,
                recipient=address,
                subject="Placement portal: a webhook endpoint was disabled",
                body=f"Dear {name},\n\nThe webhook endpoint {url} has failed every delivery "
                "for 24 hours, so the placement portal has disabled it. Events since then are "
                "marked FAILED. Fix the receiving system, then enable the endpoint again "
                "(updateWebhookEndpoint) and retry the deliveries you need "
                f"(retryWebhookDelivery).\n\n{settings.base_url}\n",
                kind="WEBHOOK_DISABLED",
                mail_domain=settings.mail_domain,
                user_id=user_id,
            )
        WEBHOOK_ENDPOINTS_DISABLED.inc()
        logger.warning("webhook endpoint %s disabled: %s", endpoint_id, reason)


@dataclass
class DeliveryReport:
    delivered: int = 0
    failed: int = 0
    #: When a failed delivery is due again (ms from now), so the caller can come back then.
    retry_in_ms: int | None = None


def new_client() -> httpx.AsyncClient:
    """No proxies from the environment, no redirects, 10 s for everything."""
    return httpx.AsyncClient(
        timeout=httpx.Timeout(TIMEOUT_SECONDS),
        follow_redirects=False,
        trust_env=False,
        limits=httpx.Limits(max_connections=CONCURRENCY),
    )


async def deliver_due(
    db: Database,
    settings: Settings,
    *,
    client: httpx.AsyncClient | None = None,
    clock: Callable[[], datetime] = utcnow,
    max_batches: int = 100,
) -> DeliveryReport:
    """Send the due deliveries in batches of ``BATCH_SIZE``, ``CONCURRENCY`` at a time, each
    batch leased for ``PORTAL_WEBHOOK_LEASE_SECONDS``."""
    report = DeliveryReport()
    lease = timedelta(seconds=settings.webhook_lease_seconds)
    own_client = client is None
    http = client or new_client()
    limit = asyncio.Semaphore(CONCURRENCY)
    earliest_retry: datetime | None = None

    async def one(target: Target | None, delivery: Claimed) -> Outcome:
        async with limit:
            return await post(http, target, delivery, clock)

    try:
        for _ in range(max_batches):
            batch = await claim_due(db, now=clock(), lease=lease)
            if not batch:
                break
            targets = await _targets(db, settings, {d.endpoint_id for d in batch})
            outcomes = await asyncio.gather(*(one(targets.get(d.endpoint_id), d) for d in batch))
            await record_outcomes(db, settings, outcomes)
            for outcome in outcomes:
                if outcome.delivered:
                    report.delivered += 1
                    WEBHOOK_ATTEMPTS.labels("delivered").inc()
                    continue
                report.failed += 1
                WEBHOOK_ATTEMPTS.labels("failed").inc()
                logger.info(
                    "webhook delivery %s attempt %d failed: %s",
                    outcome.delivery.id,
                    outcome.delivery.attempts,
                    outcome.error,
                )
                if outcome.delivery.attempts < MAX_ATTEMPTS:
                    retry_at = outcome.at + retry_delay(outcome.delivery.attempts)
                    earliest_retry = min(earliest_retry or retry_at, retry_at)
    finally:
        if own_client:
            await http.aclose()
    if earliest_retry is not None:
        delay = (earliest_retry - clock()).total_seconds()
        report.retry_in_ms = max(int(delay * 1000), 0) + 50
    return report

"""The Dramatiq actors. Each is idempotent: delivery is at least once.

Actors take no objects (only ids or nothing) and call one core service with the worker's
runtime (settings and database). They are declared per broker by :func:`declare_actors`, so
each broker's actors use the runtime configured with it. To add one: write ``async def
name(runtime, *ids)`` and list it in ``ACTORS`` with its options.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from typing import Any

import dramatiq

from core.db import is_database_unavailable
from core.jobs.queue import enqueue_async
from core.jobs.runtime import Runtime
from core.notifications.delivery import deliver_due
from core.notifications.expiry import warn_expiring_documents
from core.notifications.reminders import remind_unread_referrals
from core.webhooks.delivery import deliver_due as deliver_webhooks

logger = logging.getLogger(__name__)

OUTBOX_QUEUE = "outbox"
SWEEP_QUEUE = "sweeps"
WEBHOOK_QUEUE = "webhooks"


async def send_outbox(runtime: Runtime) -> None:
    """Send every due outbox email; if some failed, come back when the first is due again."""
    report = await deliver_due(runtime.db, runtime.settings)
    if report.retry_in_ms is not None:
        await enqueue_async("send_outbox", delay_ms=report.retry_in_ms)


async def send_webhooks(runtime: Runtime) -> None:
    """POST every due webhook delivery; if some failed, come back when the first is due again."""
    report = await deliver_webhooks(runtime.db, runtime.settings)
    if report.retry_in_ms is not None:
        await enqueue_async("send_webhooks", delay_ms=report.retry_in_ms)


async def sweep_document_expiry(runtime: Runtime) -> None:
    """Warn providers' admins of profile documents expiring within 30 days (once each)."""
    await warn_expiring_documents(runtime.db, runtime.settings)


async def sweep_reminders(runtime: Runtime) -> None:
    """Remind provider users of their unread referrals (once per user per day)."""
    await remind_unread_referrals(runtime.db, runtime.settings)


async def sweep_retention(runtime: Runtime) -> None:
    """Purge the personal data of referrals and IPAs whose retention period ended; forget idle
    sign-in failure counts and expired sign-ups."""
    from core.children.retention import purge
    from core.models.base import utcnow

    report = await purge(runtime.db, runtime.settings, now=utcnow())
    for line in report.lines():
        logger.info("retention: %s", line)
    from core.identity.housekeeping import forget_stale

    forgotten = await forget_stale(runtime.db)
    if forgotten.throttles or forgotten.sign_ups:
        logger.info(
            "retention: forgot %d idle sign-in counts, %d expired sign-ups",
            forgotten.throttles,
            forgotten.sign_ups,
        )


async def make_export(runtime: Runtime, export_id: str) -> None:
    """Make a requested export (an organisation's: big)."""
    import uuid

    from core.children.exports import make_export as make

    await make(runtime.db, runtime.settings, uuid.UUID(export_id))


async def sweep_deadlines(runtime: Runtime) -> None:
    """Remind providers before response deadlines; tell LAs who missed them (once each)."""
    from core.referrals.deadlines import remind_before_deadlines, report_missed_deadlines

    await remind_before_deadlines(runtime.db, runtime.settings)
    await report_missed_deadlines(runtime.db, runtime.settings)


async def sweep_vacancies(runtime: Runtime) -> None:
    """Ask providers' admins to confirm stale vacancy declarations (once each)."""
    from core.vacancies import remind_stale_vacancies

    await remind_stale_vacancies(runtime.db, runtime.settings)


ActorFn = Callable[..., Awaitable[None]]

#: Retries back off from 1 s to 5 min for unexpected failures (a database restart).
#: Sending retries long (SMTP failures are also retried per email by ``send_outbox``).
SENDING: dict[str, Any] = {
    "max_retries": 20,
    "min_backoff": 1_000,
    "max_backoff": 300_000,
    "time_limit": 900_000,
}


def sweeping(time_limit_ms: int = 900_000) -> dict[str, Any]:
    """A sweep's options: a few retries, from 5 s; ``time_limit_ms`` for a long one."""
    return {
        "max_retries": 5,
        "min_backoff": 5_000,
        "max_backoff": 300_000,
        "time_limit": time_limit_ms,
    }


HOUR_MS = 3_600_000

#: name -> (function, queue, options).
ACTORS: dict[str, tuple[ActorFn, str, dict[str, Any]]] = {
    "send_outbox": (send_outbox, OUTBOX_QUEUE, SENDING),
    "send_webhooks": (send_webhooks, WEBHOOK_QUEUE, SENDING),
    "sweep_document_expiry": (sweep_document_expiry, SWEEP_QUEUE, sweeping()),
    "sweep_reminders": (sweep_reminders, SWEEP_QUEUE, sweeping()),
    "sweep_retention": (sweep_retention, SWEEP_QUEUE, sweeping(HOUR_MS)),
    "make_export": (make_export, SWEEP_QUEUE, sweeping(HOUR_MS)),
    "sweep_deadlines": (sweep_deadlines, SWEEP_QUEUE, sweeping()),
    "sweep_vacancies": (sweep_vacancies, SWEEP_QUEUE, sweeping()),
}


def _bind(fn: ActorFn, runtime: Runtime) -> ActorFn:
    async def run(*args: Any) -> None:
        try:
            await fn(runtime, *args)
        except Exception as error:
            if not is_database_unavailable(error):
                raise
            # A lost database is logged once by core.db.DatabaseOutage; the message is
            # retried (with the actor's back-off) without a traceback each time.
            raise dramatiq.Retry(str(error).splitlines()[0] if str(error) else "") from None

    run.__name__ = fn.__name__
    run.__module__ = fn.__module__
    return run


def declare_actors(broker: dramatiq.Broker) -> None:
    """Declare every actor on ``broker``, bound to the broker's :class:`Runtime`."""
    runtime = next(m for m in broker.middleware if isinstance(m, Runtime))
    for name, (fn, queue, options) in ACTORS.items():
        dramatiq.Actor(
            _bind(fn, runtime),  # type: ignore[arg-type]  # dramatiq types an actor fn narrowly
            broker=broker,
            actor_name=name,
            queue_name=queue,
            priority=0,
            options=dict(options),
        )

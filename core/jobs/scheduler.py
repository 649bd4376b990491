"""Periodic jobs: ``portal scheduler`` (one process), or in-process under ``portal serve``
when there is no Redis.

The scheduler does no work itself: each tick only enqueues a sweep actor, and every sweep
is driven by database state (what is due and not done yet; once-only acts are sweep marks),
so a missed tick, a doubled tick or two schedulers started by mistake do no harm.

To add a sweep:
write the service, an actor in ``core/jobs/actors.py`` (``ACTORS``), and one ``Sweep`` here.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from typing import Any

from apscheduler.schedulers.base import BaseScheduler
from apscheduler.triggers.base import BaseTrigger
from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.interval import IntervalTrigger

from core.jobs.broker import current_broker, enqueue

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Sweep:
    name: str
    actor_name: str
    trigger: BaseTrigger
    #: Also run when the scheduler starts (catch up on what was missed while it was down).
    at_start: bool = True
    options: dict[str, Any] = field(default_factory=dict)


OUTBOX_SWEEP_SECONDS = 30

SWEEPS: tuple[Sweep, ...] = (
    # The outbox is sent after each commit; this catches whatever that missed.
    Sweep("outbox", "send_outbox", IntervalTrigger(seconds=OUTBOX_SWEEP_SECONDS)),
    # Webhooks likewise: what a lost enqueue or a killed worker left (its lease ended).
    Sweep("webhooks", "send_webhooks", IntervalTrigger(seconds=30)),
    Sweep("document-expiry", "sweep_document_expiry", CronTrigger(minute=5, timezone=UTC)),
    # The daily REMINDER to provider users with unread referrals (once per user per day).
    Sweep("reminders", "sweep_reminders", CronTrigger(hour=8, timezone="Europe/London")),
    # Children's data past its retention period: daily, at a quiet hour.
    Sweep("retention", "sweep_retention", CronTrigger(hour=2, minute=30, timezone=UTC)),
    # Response deadlines: reminders before them, reports to the LA after them.
    Sweep("deadlines", "sweep_deadlines", IntervalTrigger(minutes=10)),
    # Stale vacancy declarations: ask the provider's admins to confirm them.
    Sweep("vacancies", "sweep_vacancies", CronTrigger(hour=9, timezone="Europe/London")),
)

#: Every job: a late tick still runs once (coalesced), never two of the same job at once.
JOB_DEFAULTS = {"coalesce": True, "max_instances": 1, "misfire_grace_time": 300}


def tick(actor_name: str) -> None:
    """One scheduled tick: ask a worker to run the sweep. While Redis is away the tick is
    kept and sent when it is back (``core.jobs.queue.enqueue``; the outage is logged once)."""
    if not enqueue(actor_name) and current_broker() is None:
        logger.warning("no broker: %s not enqueued", actor_name)


def add_sweeps(scheduler: BaseScheduler, sweeps: tuple[Sweep, ...] = SWEEPS) -> None:
    now = datetime.now(UTC)
    for sweep in sweeps:
        scheduler.add_job(
            tick,
            sweep.trigger,
            args=[sweep.actor_name],
            id=sweep.name,
            name=sweep.name,
            replace_existing=True,
            next_run_time=now if sweep.at_start else None,
            **{**JOB_DEFAULTS, **sweep.options},
        )


def sweeps_for(settings: Any) -> tuple[Sweep, ...]:
    """The sweeps, with the outbox swept every ``settings.outbox_sweep_seconds``."""
    seconds = settings.outbox_sweep_seconds
    return tuple(
        replace(sweep, trigger=IntervalTrigger(seconds=seconds))
        if sweep.name == "outbox"
        else sweep
        for sweep in SWEEPS
    )


def run_scheduler(settings: Any) -> None:
    """``portal scheduler``: a blocking scheduler sending sweeps to the Redis broker."""
    from apscheduler.schedulers.blocking import BlockingScheduler

    from core.jobs.broker import configure_broker

    configure_broker(settings)
    scheduler = BlockingScheduler(timezone=UTC, job_defaults=JOB_DEFAULTS)
    add_sweeps(scheduler, sweeps_for(settings))
    logger.info("scheduler started: %s", ", ".join(s.name for s in SWEEPS))
    try:
        scheduler.start()
    except (KeyboardInterrupt, SystemExit):
        pass

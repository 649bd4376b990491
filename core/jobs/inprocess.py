"""The embedded setup (no Redis): ``portal serve`` runs a Dramatiq worker on the stub broker
and the periodic jobs in its own process. Started and stopped by the app's lifespan."""

from __future__ import annotations

import logging
from datetime import UTC

import dramatiq
from apscheduler.schedulers.background import BackgroundScheduler

from core.jobs.scheduler import JOB_DEFAULTS, add_sweeps

logger = logging.getLogger(__name__)


class InProcessBackground:
    """A worker (a few threads, one event loop for async actors) and a scheduler thread."""

    def __init__(
        self, broker: dramatiq.Broker, *, worker_threads: int = 2, scheduler: bool = True
    ) -> None:
        self.broker = broker
        self.worker = dramatiq.Worker(broker, worker_threads=worker_threads, worker_timeout=100)
        self.scheduler = (
            BackgroundScheduler(timezone=UTC, job_defaults=JOB_DEFAULTS) if scheduler else None
        )

    def start(self) -> None:
        self.worker.start()
        if self.scheduler is not None:
            add_sweeps(self.scheduler)
            self.scheduler.start()
        logger.info("background actors running in-process")

    def stop(self) -> None:
        if self.scheduler is not None and self.scheduler.running:
            self.scheduler.shutdown(wait=True)
        self.worker.stop(timeout=10_000)

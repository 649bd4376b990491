"""The Dramatiq broker: Redis when ``PORTAL_REDIS_URL`` is set, else an in-process stub broker
consumed by a worker running inside ``portal serve``.

The Redis broker is tuned so a message held by a killed worker is requeued within seconds:
by default it is requeued only after a 60 s heartbeat timeout *and* a maintenance pass that
runs on 0.1% of dispatches.

Work is enqueued by actor *name* (:func:`enqueue`), so code that only sends (the API, the
scheduler, after-commit hooks) needs no actor object, and sending before any broker is
configured is a no-op rather than Dramatiq's default of connecting to RabbitMQ.
"""

from __future__ import annotations

import logging
import threading

import dramatiq
import dramatiq.broker
from dramatiq.brokers.stub import StubBroker
from dramatiq.middleware import AsyncIO, TimeLimit

from core.jobs.actors import declare_actors
from core.jobs.queue import current_broker, enqueue, enqueue_async
from core.jobs.runtime import Runtime
from core.settings import Settings

logger = logging.getLogger(__name__)

HEARTBEAT_TIMEOUT_MS = 5_000
MAINTENANCE_CHANCE = 1_000_000  # per million: a maintenance pass on every dispatch


class _ProcessTimeLimit(TimeLimit):
    """Dramatiq's TimeLimit (the actors' ``time_limit``), shared by every broker the process
    makes. Its manager is a thread that checks the deadlines every second and never ends, and
    each broker's own TimeLimit started one more at ``process_boot``: a test run, which makes
    a broker per app, was left with hundreds of them waking every second (the whole suite
    slowed to a crawl on a 2-core machine). It is started once."""

    def after_process_boot(self, broker: dramatiq.Broker) -> None:
        manager = self.manager
        if isinstance(manager, threading.Thread):
            if manager.is_alive():
                return
            if manager.ident is not None:  # started before a fork: this process needs its own
                TimeLimit.__init__(self, time_limit=self.time_limit)
        super().after_process_boot(broker)


_TIME_LIMIT: list[_ProcessTimeLimit] = []


def _process_time_limit() -> _ProcessTimeLimit:
    if not _TIME_LIMIT:
        _TIME_LIMIT.append(_ProcessTimeLimit())
    return _TIME_LIMIT[0]


def create_broker(settings: Settings) -> dramatiq.Broker:
    """A broker for ``settings`` with the portal's actors declared on it."""
    broker: dramatiq.Broker
    if settings.redis_url:
        from dramatiq.brokers.redis import RedisBroker

        broker = RedisBroker(
            url=settings.redis_url,
            namespace="portal",
            heartbeat_timeout=HEARTBEAT_TIMEOUT_MS,
            maintenance_chance=MAINTENANCE_CHANCE,
        )
        broker.portal_redis_url = settings.redis_url  # type: ignore[attr-defined]
    else:
        broker = StubBroker()
    # One TimeLimit per process: each one starts a thread that never ends.
    broker.middleware[:] = [
        _process_time_limit() if type(m) is TimeLimit else m for m in broker.middleware
    ]
    # Async actors run on one event loop per worker process (AsyncIO); the runtime (settings
    # and a database opened on that loop) is closed before the loop stops.
    broker.add_middleware(AsyncIO())
    broker.add_middleware(Runtime(settings), before=AsyncIO)
    if isinstance(broker, StubBroker):
        broker.emit_after("process_boot")
    declare_actors(broker)
    return broker


def configure_broker(settings: Settings) -> dramatiq.Broker:
    """Create the broker for ``settings`` and make it the one actors send through."""
    broker = create_broker(settings)
    dramatiq.set_broker(broker)
    return broker


__all__ = ["configure_broker", "create_broker", "current_broker", "enqueue", "enqueue_async"]

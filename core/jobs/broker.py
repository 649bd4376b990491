"""The Dramatiq broker: Redis when ``PORTAL_REDIS_URL`` is set, else an in-process stub broker
consumed by a worker running inside ``portal serve``.

The Redis broker is tuned so a message held by a killed worker is requeued within seconds:
by default it is requeued only after a 60 s heartbeat timeout *and* a maintenance pass that
runs on 0.1% of dispatches.
"""

from __future__ import annotations

import dramatiq
from dramatiq.brokers.stub import StubBroker

from core.settings import Settings

HEARTBEAT_TIMEOUT_MS = 5_000
MAINTENANCE_CHANCE = 1_000_000  # per million: a maintenance pass on every dispatch


def create_broker(settings: Settings) -> dramatiq.Broker:
    if settings.redis_url:
        from dramatiq.brokers.redis import RedisBroker

        return RedisBroker(
            url=settings.redis_url,
            namespace="portal",
            heartbeat_timeout=HEARTBEAT_TIMEOUT_MS,
            maintenance_chance=MAINTENANCE_CHANCE,
        )
    broker = StubBroker()
    broker.emit_after("process_boot")
    return broker


def configure_broker(settings: Settings) -> dramatiq.Broker:
    """Create the broker for ``settings`` and make it the one actors send through."""
    broker = create_broker(settings)
    dramatiq.set_broker(broker)
    return broker

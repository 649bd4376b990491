"""Sending work to the actors by name, with no actor object: what the API, the scheduler and
after-commit hooks use. Sending before any broker is configured is a no-op (never Dramatiq's
default of connecting to RabbitMQ): the periodic sweeps pick the work up."""

from __future__ import annotations

import asyncio
import logging
import threading

import dramatiq
import dramatiq.broker
from dramatiq.brokers.stub import StubBroker

from core.outages import RedisHealth, redis_health

logger = logging.getLogger(__name__)


def current_broker() -> dramatiq.Broker | None:
    """The configured broker, or None (never Dramatiq's implicit RabbitMQ default)."""
    return dramatiq.broker.global_broker


ENQUEUE_AFFECTED = "background jobs are not enqueued (the lost ones are sent when it is back)"

_owed: set[tuple[str, tuple[object, ...]]] = set()
_owed_lock = threading.Lock()


def _redis_failures() -> tuple[type[BaseException], ...]:
    import redis.exceptions
    from dramatiq.errors import ConnectionError as BrokerConnectionError

    return (redis.exceptions.ConnectionError, redis.exceptions.TimeoutError, BrokerConnectionError)


def _send_owed() -> None:
    """Redis is back: enqueue once each message lost while it was away (every actor is
    idempotent, and the sweeps are driven by database state)."""
    with _owed_lock:
        owed = sorted(_owed, key=repr)
        _owed.clear()
    for actor_name, args in owed:
        enqueue(actor_name, *args)


def enqueue(actor_name: str, *args: object, delay_ms: int | None = None) -> bool:
    """Send a message to ``actor_name``; False when no broker (or no such actor) is set up,
    or when Redis cannot be reached: then the message is sent once Redis is back (the
    outage is logged once by ``core.outages``), and meanwhile the outbox sweep covers it."""
    broker = current_broker()
    if broker is None or actor_name not in broker.actors:
        logger.debug("no broker for %s: not enqueued (a periodic sweep will do it)", actor_name)
        return False
    health = _health_of(broker)
    if health is not None and health.down:
        with _owed_lock:
            _owed.add((actor_name, args))
        return False
    try:
        broker.get_actor(actor_name).send_with_options(args=args, delay=delay_ms)
    except _redis_failures() as error:
        if health is None:
            raise
        with _owed_lock:
            _owed.add((actor_name, args))
        health.failed(ENQUEUE_AFFECTED, error)
        return False
    return True


def _health_of(broker: dramatiq.Broker) -> RedisHealth | None:
    url = getattr(broker, "portal_redis_url", None)
    if url is None:
        return None
    health = redis_health(url)
    health.on_recovery(_send_owed)
    return health


async def enqueue_async(actor_name: str, *args: object, delay_ms: int | None = None) -> bool:
    """:func:`enqueue` from a coroutine: the Redis broker's blocking call runs in a thread."""
    if isinstance(current_broker(), StubBroker):
        return enqueue(actor_name, *args, delay_ms=delay_ms)
    return await asyncio.to_thread(enqueue, actor_name, *args, delay_ms=delay_ms)

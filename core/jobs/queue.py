"""Sending work to the actors by name, with no actor object: what the API, the scheduler and
after-commit hooks use. Sending before any broker is configured is a no-op (never Dramatiq's
default of connecting to RabbitMQ): the periodic sweeps pick the work up."""

from __future__ import annotations

import asyncio
import logging

import dramatiq
import dramatiq.broker
from dramatiq.brokers.stub import StubBroker

logger = logging.getLogger(__name__)


def current_broker() -> dramatiq.Broker | None:
    """The configured broker, or None (never Dramatiq's implicit RabbitMQ default)."""
    return dramatiq.broker.global_broker


def enqueue(actor_name: str, *args: object, delay_ms: int | None = None) -> bool:
    """Send a message to ``actor_name``; False when no broker (or no such actor) is set up."""
    broker = current_broker()
    if broker is None or actor_name not in broker.actors:
        logger.debug("no broker for %s: not enqueued (a periodic sweep will do it)", actor_name)
        return False
    broker.get_actor(actor_name).send_with_options(args=args, delay=delay_ms)
    return True


async def enqueue_async(actor_name: str, *args: object, delay_ms: int | None = None) -> bool:
    """:func:`enqueue` from a coroutine: the Redis broker's blocking call runs in a thread."""
    if isinstance(current_broker(), StubBroker):
        return enqueue(actor_name, *args, delay_ms=delay_ms)
    return await asyncio.to_thread(enqueue, actor_name, *args, delay_ms=delay_ms)

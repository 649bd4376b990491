"""The module ``portal worker`` hands to Dramatiq: sets up logging and the broker, then imports
the actors. On SIGTERM Dramatiq stops taking messages and finishes those in hand first.

While Redis is away, each of Dramatiq's consumers logs a CRITICAL line and an INFO line every
3 s; those become one WARNING when the outage starts and one INFO when Redis is back
(``core.outages``), so an outage is two lines in the worker's log, not a hundred.
"""

import logging

from core.jobs.broker import configure_broker
from core.observability.logs import configure_logging
from core.outages import redis_health
from core.settings import load_settings
from core.wiring import wire_core

settings = load_settings()
configure_logging(settings.log_format)
broker = configure_broker(settings)
wire_core()  # the core's registries (core/wiring.py): this process's share of the wiring

import core.jobs.actors  # noqa: E402,F401  (actors register on the broker above)


class _ConsumerOutages(logging.Filter):
    """Turns the consumers' connection errors into the process's Redis outage."""

    def __init__(self, redis_url: str) -> None:
        super().__init__()
        self.health = redis_health(redis_url)

    def filter(self, record: logging.LogRecord) -> bool:
        if not record.name.startswith("dramatiq.worker.ConsumerThread"):
            return True
        message = record.getMessage()
        if message.startswith("Consumer encountered a connection error"):
            error = ConnectionError(message.partition(": ")[2])
            self.health.failed("this worker takes no jobs", error)
            return False
        return not (message.startswith("Restarting consumer") and self.health.down)


if settings.redis_url:
    # Dramatiq set up the worker process's logging (handlers on the root logger) before it
    # imported this module.
    for handler in logging.getLogger().handlers:
        handler.addFilter(_ConsumerOutages(settings.redis_url))

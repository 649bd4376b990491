"""Riding out a blink of Redis: one tracker per process and Redis URL.

Redis carries the portal's side effects, never its data: the login limiter's counters, live
notification events and Dramatiq messages. Each use of Redis on a request's path reports a
failure here (:meth:`RedisHealth.failed`) and goes on without it (the limiter counts in this
process's memory, live events are held back, a lost enqueue is left to the outbox sweep). The
tracker logs ONE warning when the outage starts, saying what is affected, and probes Redis
from a thread of its own (once a second, short timeouts) instead of every request trying it
again; when Redis answers it logs ONE info line and runs the recovery callbacks (publishing
the held-back events, enqueueing the lost sweeps).

Thread-based on purpose: the same tracker serves ``portal serve`` (asyncio), ``portal worker``
(Dramatiq's threads) and ``portal scheduler`` (APScheduler's threads).
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from urllib.parse import urlsplit

logger = logging.getLogger("portal.outages")

#: Seconds between two probes of a Redis that is down.
PROBE_SECONDS = 1.0
#: Timeouts of every Redis client on a request's path (seconds): an unreachable Redis costs a
#: request at most this, once per outage (afterwards the tracker says it is down).
CONNECT_TIMEOUT = 1.0
COMMAND_TIMEOUT = 2.0


def redis_client_options(*, asyncio: bool = False) -> dict[str, object]:
    """Options for a redis-py client on a request's path (``asyncio``: for
    ``redis.asyncio``): short timeouts, and one immediate retry only (a pooled connection
    left over from before a Redis restart fails once, its retry connects afresh); beyond
    that the tracker retries, once a second, instead of each request."""
    from redis.backoff import NoBackoff

    if asyncio:
        from redis.asyncio.retry import Retry as AsyncRetry

        retry: object = AsyncRetry(NoBackoff(), 1)
    else:
        from redis.retry import Retry

        retry = Retry(NoBackoff(), 1)
    return {
        "socket_connect_timeout": CONNECT_TIMEOUT,
        "socket_timeout": COMMAND_TIMEOUT,
        "retry": retry,
    }


def _where(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.hostname}:{parts.port or 6379}"


class RedisHealth:
    """Whether this process currently reaches Redis at ``url``, and what to do when it is back."""

    def __init__(self, url: str) -> None:
        self.url = url
        self._lock = threading.Lock()
        self._down_since: float | None = None
        self._affected: set[str] = set()
        self._recoveries: list[Callable[[], None]] = []
        self._probe: threading.Thread | None = None
        #: Outages seen by this process (for metrics and tests).
        self.outages = 0

    @property
    def down(self) -> bool:
        return self._down_since is not None

    def on_recovery(self, callback: Callable[[], None]) -> None:
        """Run ``callback`` (in the probe's thread) each time Redis answers after an outage."""
        with self._lock:
            if callback not in self._recoveries:
                self._recoveries.append(callback)

    def failed(self, affected: str, error: BaseException | None = None) -> None:
        """A use of Redis failed: ``affected`` says what goes without it meanwhile.

        The first failure of an outage logs one WARNING and starts the probe; later ones
        (from other uses) are silent."""
        with self._lock:
            self._affected.add(affected)
            if self._down_since is not None:
                return
            self._down_since = time.monotonic()
            self.outages += 1
            probe = self._probe = threading.Thread(
                target=self._run_probe, name="portal-redis-probe", daemon=True
            )
        reason = f"{type(error).__name__}: {error}" if error is not None else "no answer"
        logger.warning(
            "Redis at %s is unreachable (%s): %s until it is back; checking every %.0f s",
            _where(self.url),
            reason,
            affected,
            PROBE_SECONDS,
        )
        probe.start()

    def _answers(self) -> bool:
        import redis

        client = redis.Redis.from_url(self.url, **redis_client_options())
        try:
            return bool(client.ping())
        except Exception:
            return False
        finally:
            client.close()

    def _run_probe(self) -> None:
        while True:
            time.sleep(PROBE_SECONDS)
            if self._answers():
                break
        with self._lock:
            since, self._down_since = self._down_since, None
            affected, self._affected = self._affected, set()
            recoveries = list(self._recoveries)
            self._probe = None
        seconds = time.monotonic() - (since or time.monotonic())
        logger.info(
            "Redis at %s is back after %.1f s (%d of its uses had gone without it)",
            _where(self.url),
            seconds,
            len(affected),
        )
        for callback in recoveries:
            try:
                callback()
            except Exception as error:  # the next outage or sweep covers it; no traceback
                logger.warning("after Redis came back, %s failed: %s", callback, error)


_trackers: dict[str, RedisHealth] = {}
_trackers_lock = threading.Lock()


def redis_health(url: str) -> RedisHealth:
    """This process's tracker for the Redis at ``url``."""
    with _trackers_lock:
        tracker = _trackers.get(url)
        if tracker is None:
            tracker = _trackers[url] = RedisHealth(url)
        return tracker

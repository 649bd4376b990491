"""Real-time notification events: published after commit, fanned out to subscribers.

With Redis, every process publishes to one channel and each API process holds ONE pub/sub
connection (its :class:`Hub`), fanning events out in memory to bounded per-subscriber
queues. Without Redis everything runs in one process and the in-memory :data:`LOCAL_BUS`
takes Redis's place (thread-safe: the in-process worker runs on its own event loop).

An event carries the whole notification, so subscribers need no database query.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import threading
import time
import uuid
from collections import deque
from collections.abc import AsyncIterator, Sequence
from typing import Any

import orjson

from core.observability.metrics import LIVE_SUBSCRIPTIONS
from core.settings import Settings

logger = logging.getLogger(__name__)

CHANNEL = "portal:notifications"
#: Events a subscriber may have waiting; a slower one is disconnected (it re-reads the list).
QUEUE_SIZE = 256

Event = dict[str, Any]


#: A control event (no notification): the user's sessions ended (logout, deactivation);
#: their open subscriptions check their credentials at once and end.
SESSIONS_ENDED = "SESSIONS_ENDED"


# ---------------------------------------------------------------- publishing

#: Events held back while Redis is away (per process); beyond this the oldest are dropped
#: (their notifications are in the database: a subscriber re-reads its list).
BACKLOG_SIZE = 10_000
#: After Redis answers again, held-back events wait this long before they are published, so
#: that every hub (each reconnects once a second) has subscribed again and receives them.
REPUBLISH_AFTER_SECONDS = 2.5
PUBLISH_AFFECTED = "live notification events are held back (up to 10,000) and published after"


class _RedisPublisher:
    """Publishes to the channel from any thread; while Redis is away, holds events back in
    order and publishes them when it returns (``core.outages`` probes it)."""

    def __init__(self, url: str) -> None:
        from core.outages import redis_health

        self.url = url
        self.health = redis_health(url)
        self.health.on_recovery(self._republish)
        self._lock = threading.Lock()
        self._client: Any = None
        self._backlog: deque[bytes] = deque()
        self._held = 0  # events in the backlog
        self._dropped = 0

    def _redis(self) -> Any:
        if self._client is None:
            import redis

            from core.outages import redis_client_options

            self._client = redis.Redis.from_url(self.url, **redis_client_options())
        return self._client

    def _hold(self, payload: bytes, count: int) -> None:
        self._backlog.append(payload)
        self._held += count
        while self._held > BACKLOG_SIZE and len(self._backlog) > 1:
            dropped = len(orjson.loads(self._backlog.popleft()))
            self._held -= dropped
            self._dropped += dropped

    def publish(self, payload: bytes, count: int) -> None:
        with self._lock:
            if self.health.down or self._backlog:  # keep the order: behind those held back
                self._hold(payload, count)
                return
            try:
                self._redis().publish(CHANNEL, payload)
                return
            except Exception as error:
                self._hold(payload, count)
                failure: Exception = error
        self.health.failed(PUBLISH_AFFECTED, failure)

    def _republish(self) -> None:
        time.sleep(REPUBLISH_AFTER_SECONDS)
        with self._lock:
            held, dropped = self._held, self._dropped
            try:
                while self._backlog:
                    self._redis().publish(CHANNEL, self._backlog[0])
                    self._held -= len(orjson.loads(self._backlog.popleft()))
            except Exception as error:
                failure: Exception | None = error
            else:
                failure = None
                self._dropped = 0
        if failure is not None:
            self.health.failed(PUBLISH_AFFECTED, failure)
            return
        if held or dropped:
            logger.info(
                "published %d live notification events held back while Redis was away%s",
                held,
                f" ({dropped} older ones dropped)" if dropped else "",
            )


_publishers: dict[str, _RedisPublisher] = {}
_publishers_lock = threading.Lock()


def _redis_publish(url: str, payload: bytes, count: int) -> None:
    with _publishers_lock:
        publisher = _publishers.get(url)
        if publisher is None:
            publisher = _publishers[url] = _RedisPublisher(url)
    publisher.publish(payload, count)


async def publish(settings: Settings, events: Sequence[Event]) -> None:
    """Publish ``events`` (after their unit of work committed) to every subscriber.

    Never raises for a Redis outage: the events are held back and published when Redis
    answers again."""
    if not events:
        return
    if settings.redis_url:
        await asyncio.to_thread(
            _redis_publish, settings.redis_url, orjson.dumps(list(events)), len(events)
        )
    else:
        LOCAL_BUS.publish(list(events))


# ---------------------------------------------------------------- subscribing


async def sessions_ended(settings: Settings, user_id: uuid.UUID) -> None:
    """Tell every process that ``user_id``'s sessions ended (after the commit)."""
    await publish(settings, [{"user_id": user_id.hex, "control": SESSIONS_ENDED}])


class SlowSubscriber(Exception):
    """A subscriber fell more than QUEUE_SIZE events behind and was disconnected."""


class _Subscriber:
    __slots__ = ("event", "items", "overflowed")

    def __init__(self) -> None:
        self.items: deque[Event] = deque()
        self.event = asyncio.Event()
        self.overflowed = False

    def push(self, item: Event) -> None:
        if len(self.items) >= QUEUE_SIZE:
            self.overflowed = True
            self.items.clear()
        else:
            self.items.append(item)
        self.event.set()

    async def next(self, wait: float | None) -> Event | None:
        """The next event, or None after ``wait`` seconds without one."""
        while not self.items:
            if self.overflowed:
                raise SlowSubscriber("Too many notifications waiting: subscribe again.")
            self.event.clear()
            try:
                await asyncio.wait_for(self.event.wait(), wait)
            except TimeoutError:
                return None
        if self.overflowed:
            raise SlowSubscriber("Too many notifications waiting: subscribe again.")
        return self.items.popleft()


class Hub:
    """This process's subscribers, by user id, fed by Redis or by the local bus."""

    def __init__(self, redis_url: str | None) -> None:
        self.redis_url = redis_url
        self._by_user: dict[str, set[_Subscriber]] = {}
        self._loop: asyncio.AbstractEventLoop | None = None
        self._reader: asyncio.Task[None] | None = None
        self._ready = asyncio.Event()

    def subscriber_count(self, user_id: uuid.UUID | None = None) -> int:
        if user_id is not None:
            return len(self._by_user.get(user_id.hex, ()))
        return sum(len(s) for s in self._by_user.values())

    async def _start(self) -> None:
        if self._loop is not None:
            return
        self._loop = asyncio.get_running_loop()
        if self.redis_url:
            self._reader = asyncio.create_task(self._read_redis(), name="portal-pubsub")
        else:
            LOCAL_BUS.attach(self)
            self._ready.set()

    async def stop(self) -> None:
        LOCAL_BUS.detach(self)
        if self._reader is not None:
            self._reader.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._reader
            self._reader = None
        self._loop = None
        self._ready = asyncio.Event()

    async def _read_redis(self) -> None:
        """Read the channel for this process's subscribers, for as long as the hub runs.

        A lost connection is reported once to ``core.outages`` (one WARNING per outage, no
        traceback) and retried every second, quietly; subscribers stay subscribed and
        receive the events held back meanwhile once Redis is back."""
        import redis.asyncio as aioredis

        from core.outages import redis_health

        assert self.redis_url is not None  # only started when Redis is configured
        health = redis_health(self.redis_url)
        while True:
            client = aioredis.Redis.from_url(self.redis_url, socket_connect_timeout=5)
            pubsub = client.pubsub(ignore_subscribe_messages=True)
            try:
                await pubsub.subscribe(CHANNEL)
                self._ready.set()
                async for message in pubsub.listen():
                    if message.get("type") == "message":
                        self._fan_out(orjson.loads(message["data"]))
            except asyncio.CancelledError:
                raise
            except Exception as error:
                health.failed(
                    "live notifications wait (subscribers stay connected and receive them after)",
                    error,
                )
                await asyncio.sleep(1)
            finally:
                with contextlib.suppress(Exception):
                    await pubsub.aclose()
                    await client.aclose()

    def _fan_out(self, events: list[Event]) -> None:
        for item in events:
            for subscriber in tuple(self._by_user.get(item.get("user_id", ""), ())):
                subscriber.push(item)

    def deliver_threadsafe(self, events: list[Event]) -> None:
        loop = self._loop
        if loop is None or loop.is_closed():
            return
        try:
            if loop is _running_loop():
                self._fan_out(events)
            else:
                loop.call_soon_threadsafe(self._fan_out, events)
        except RuntimeError:  # the loop closed meanwhile
            pass

    @contextlib.asynccontextmanager
    async def subscribe(self, user_id: uuid.UUID) -> AsyncIterator[_Subscriber]:
        """Receive ``user_id``'s events while the block runs (registered before it starts)."""
        subscriber = _Subscriber()
        self._by_user.setdefault(user_id.hex, set()).add(subscriber)
        LIVE_SUBSCRIPTIONS.inc()
        try:
            await self._start()
            # Wait for the hub's first subscription to the channel, so that no event published
            # after this returns is missed; while Redis is away, go on: events come after.
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._ready.wait(), 10)
            yield subscriber
        finally:
            LIVE_SUBSCRIPTIONS.dec()
            subscribers = self._by_user.get(user_id.hex)
            if subscribers is not None:
                subscribers.discard(subscriber)
                if not subscribers:
                    del self._by_user[user_id.hex]


def _running_loop() -> asyncio.AbstractEventLoop | None:
    try:
        return asyncio.get_running_loop()
    except RuntimeError:
        return None


class LocalBus:
    """Redis's stand-in within one process: hands events to every hub of the process."""

    def __init__(self) -> None:
        self._hubs: set[Hub] = set()
        self._lock = threading.Lock()

    def attach(self, hub: Hub) -> None:
        with self._lock:
            self._hubs.add(hub)

    def detach(self, hub: Hub) -> None:
        with self._lock:
            self._hubs.discard(hub)

    def publish(self, events: list[Event]) -> None:
        with self._lock:
            hubs = tuple(self._hubs)
        for hub in hubs:
            hub.deliver_threadsafe(events)


LOCAL_BUS = LocalBus()

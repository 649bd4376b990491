"""Rate limits on login attempts per client address (the ``limits`` library).

Memory storage by default; Redis when ``PORTAL_REDIS_URL`` is set, so that every API process
counts the same attempts. Each attempt is counted inside the resolver, so aliases and
batches in one request count one by one.

A Redis that cannot be reached never stops anyone signing in: the limiter falls back to a
per-process in-memory window (``limits``' own MemoryStorage), so attempts are still limited,
per process, until Redis answers again (``core.outages`` logs the outage once and probes).
"""

from __future__ import annotations

from typing import cast

from limits import RateLimitItem, parse
from limits.aio.storage import MemoryStorage, Storage
from limits.aio.strategies import MovingWindowRateLimiter
from limits.errors import StorageError
from limits.storage import storage_from_string

from core.errors import RateLimited
from core.outages import redis_client_options, redis_health

AFFECTED = "sign-in attempts are limited per API process (in memory)"


class AttemptLimiter:
    def __init__(self, redis_url: str | None, limit: str = "30/minute") -> None:
        self._memory = MovingWindowRateLimiter(MemoryStorage())
        self._redis: MovingWindowRateLimiter | None = None
        self._health = redis_health(redis_url) if redis_url else None
        if redis_url:
            # limits types the options as scalars; redis-py also takes its Retry object.
            options = cast(dict[str, float | str | bool], redis_client_options(asyncio=True))
            storage: Storage = storage_from_string(  # type: ignore[assignment]  # limits types it as the base storage
                "async+" + redis_url, implementation="redispy", wrap_exceptions=True, **options
            )
            self._redis = MovingWindowRateLimiter(storage)
        self._limit: RateLimitItem = parse(limit)

    async def _allowed(self, keys: tuple[str, str]) -> bool:
        if self._redis is not None and self._health is not None and not self._health.down:
            try:
                return await self._redis.hit(self._limit, *keys)
            except StorageError as error:
                self._health.failed(AFFECTED, error.storage_error)
        return await self._memory.hit(self._limit, *keys)

    async def hit(self, scope: str, client_address: str | None) -> None:
        """Count one attempt; RATE_LIMITED once the address is over the limit."""
        if not await self._allowed((scope, client_address or "unknown")):
            raise RateLimited(
                "Too many attempts from your network address. Wait a minute and try again."
            )

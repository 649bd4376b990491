"""Rate limits on login attempts per client address (the ``limits`` library).

Memory storage by default; Redis when ``PORTAL_REDIS_URL`` is set, so that every API process
counts the same attempts. Each attempt is counted inside the resolver, so aliases and
batches in one request count one by one.
"""

from __future__ import annotations

from limits import RateLimitItem, parse
from limits.aio.storage import MemoryStorage, Storage
from limits.aio.strategies import MovingWindowRateLimiter
from limits.storage import storage_from_string

from core.errors import RateLimited


class AttemptLimiter:
    def __init__(self, redis_url: str | None, limit: str = "30/minute") -> None:
        storage: Storage
        if redis_url:
            storage = storage_from_string("async+" + redis_url, implementation="redispy")  # type: ignore[assignment]  # limits types it as the base storage
        else:
            storage = MemoryStorage()
        self._limiter = MovingWindowRateLimiter(storage)
        self._limit: RateLimitItem = parse(limit)

    async def hit(self, scope: str, client_address: str | None) -> None:
        """Count one attempt; RATE_LIMITED once the address is over the limit."""
        if not await self._limiter.hit(self._limit, scope, client_address or "unknown"):
            raise RateLimited(
                "Too many attempts from your network address. Wait a minute and try again."
            )

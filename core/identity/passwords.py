"""Password hashing with argon2id, off the event loop.

Each hash takes about a hundred milliseconds and 64 MiB, so hashing runs in a worker thread
(argon2-cffi releases the GIL) and at most cores-1 run at once: however many people sign in
together, a core stays free for the event loop and the requests around them.
"""

from __future__ import annotations

import asyncio
import os
import weakref
from functools import lru_cache

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from zxcvbn import zxcvbn

from core.identity.breached import is_common

MIN_LENGTH = 12
MAX_LENGTH = 256
#: Hashes running at once: one core is always left to the event loop.
_CONCURRENT_HASHES = max(1, (os.cpu_count() or 2) - 1)
#: One semaphore per event loop: a semaphore is bound to the loop it first waited in (several
#: loops in one process, as in the tests, would otherwise fail on the second).
_semaphores: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, asyncio.Semaphore] = (
    weakref.WeakKeyDictionary()
)


@lru_cache(maxsize=2)
def hasher(fast: bool = False) -> PasswordHasher:
    """argon2id with 64 MiB and 3 passes (RFC 9106's low-memory profile) on one lane, so a
    hash occupies one core, not four; ``fast`` (tests only) is OWASP's minimum (19 MiB, t=2)."""
    if fast:
        return PasswordHasher(time_cost=2, memory_cost=19_456, parallelism=1)
    return PasswordHasher(time_cost=3, memory_cost=65_536, parallelism=1)


def _limit() -> asyncio.Semaphore:
    loop = asyncio.get_running_loop()
    semaphore = _semaphores.get(loop)
    if semaphore is None:
        semaphore = _semaphores[loop] = asyncio.Semaphore(_CONCURRENT_HASHES)
    return semaphore


#: zxcvbn's score (0-4) a new password needs: 3 is "safely unguessable" for online attacks.
MIN_STRENGTH = 3


def password_problem(password: str) -> str | None:
    """Why a new password cannot be used, or None."""
    if len(password) < MIN_LENGTH:
        return f"Choose a password of at least {MIN_LENGTH} characters (a few words work well)."
    if len(password) > MAX_LENGTH:
        return f"Choose a password of at most {MAX_LENGTH} characters."
    if not password.strip():
        return "A password cannot be only spaces."
    if is_common(password):
        return (
            "This password is one of the most common passwords, which attackers try first: "
            "choose another (a few unrelated words work well)."
        )
    strength = zxcvbn(password[:100])
    if strength["score"] < MIN_STRENGTH:
        advice = strength["feedback"].get("warning") or "It would be guessed quickly."
        return f"Choose a stronger password. {advice.rstrip('.')}. A few unrelated words work well."
    return None


async def hash_password(password: str, *, fast: bool = False) -> str:
    async with _limit():
        return await asyncio.to_thread(hasher(fast).hash, password)


async def verify_password(password_hash: str | None, password: str, *, fast: bool = False) -> bool:
    """Check ``password``; with no hash (unknown user) do the same work and return False."""
    ph = hasher(fast)

    def check() -> bool:
        if password_hash is None:
            # The same work as a real check, so an unknown email answers in similar time.
            try:
                ph.verify(_dummy_hash(fast), password)
            except VerificationError:
                pass
            return False
        try:
            return ph.verify(password_hash, password)
        except (VerificationError, InvalidHashError):
            return False

    async with _limit():
        return await asyncio.to_thread(check)


def needs_rehash(password_hash: str, *, fast: bool = False) -> bool:
    return hasher(fast).check_needs_rehash(password_hash)


@lru_cache(maxsize=2)
def _dummy_hash(fast: bool) -> str:
    return hasher(fast).hash("not a password anyone has")

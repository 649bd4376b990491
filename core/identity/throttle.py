"""The per-address sign-in slowdown: failed attempts are counted per email address, whether or
not an account has it, so that nothing in the answers or their timing tells which addresses
exist; past ``sign_in_free_failures`` each attempt waits before it is even checked, the wait
doubling from one second to ``sign_in_max_wait_seconds``. A stranger who knows an address can
slow its owner down to one attempt a minute, never lock them out; a completed sign-in forgets
the failures.

Each attempt is counted before its password is checked, in the same statement that decides
whether it may be checked (the row is locked until the count commits): of many concurrent
attempts only the allowed number is ever checked. The count is in the database, so it holds
across API processes with or without Redis.
"""

from __future__ import annotations

import hashlib
import hmac
import math
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import case, delete, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from core.db import Database, upsert_insert
from core.identity.emails import email_key
from core.models import SignInThrottle
from core.models.base import utcnow
from core.settings import Settings

#: After a day without attempts, an address's failures are forgotten.
FORGET_AFTER = timedelta(days=1)
FIRST_WAIT_SECONDS = 1


@dataclass(frozen=True)
class Attempt:
    """An attempt allowed to be checked: ``failures`` counts it as one (until it succeeds)."""

    key: bytes
    failures: int


def throttle_key(settings: Settings, email: str) -> bytes:
    """A keyed hash of the case-folded address: the table stores no address."""
    return hmac.new(
        settings.secret_key.encode(), b"sign-in:" + email_key(email).encode(), hashlib.sha256
    ).digest()


def wait_after(settings: Settings, failures: int) -> timedelta:
    """How long the next attempt waits after ``failures`` failed ones."""
    beyond = failures - settings.sign_in_free_failures
    if beyond < 0:
        return timedelta(0)
    seconds = FIRST_WAIT_SECONDS * 2 ** min(beyond, 20)
    return timedelta(seconds=min(seconds, settings.sign_in_max_wait_seconds))


def seconds_to_wait(settings: Settings, failures: int) -> int:
    return math.ceil(wait_after(settings, failures).total_seconds())


async def _ensure_row(session: AsyncSession, key: bytes, now: datetime) -> None:
    insert = upsert_insert(session)
    await session.execute(
        insert(SignInThrottle)
        .values(key=key, failures=0, next_attempt_at=None, last_attempt_at=now)
        .on_conflict_do_nothing(index_elements=["key"])
    )


async def _count(
    session: AsyncSession, settings: Settings, key: bytes, now: datetime
) -> int | None:
    """One more failure for ``key``, if an attempt may be made now; the next attempt then
    waits as if this one fails. None: not before ``next_attempt_at``."""
    forgotten = SignInThrottle.last_attempt_at < now - FORGET_AFTER
    failures = await session.scalar(
        update(SignInThrottle)
        .where(
            SignInThrottle.key == key,
            or_(SignInThrottle.next_attempt_at.is_(None), SignInThrottle.next_attempt_at <= now),
        )
        .values(
            failures=case((forgotten, 1), else_=SignInThrottle.failures + 1),
            last_attempt_at=now,
        )
        .returning(SignInThrottle.failures)
        .execution_options(synchronize_session=False)
    )
    if failures is None:
        return None
    wait = wait_after(settings, failures)
    if wait:  # the row stays locked by the update above until this commits
        await session.execute(
            update(SignInThrottle)
            .where(SignInThrottle.key == key)
            .values(next_attempt_at=now + wait)
            .execution_options(synchronize_session=False)
        )
    return failures


async def claim(db: Database, settings: Settings, email: str) -> Attempt | int:
    """Count an attempt for ``email`` before it is checked: the :class:`Attempt`, or the whole
    seconds to wait before one may be checked."""
    key = throttle_key(settings, email)
    now = utcnow()
    async with db.transaction() as session:
        await _ensure_row(session, key, now)
        failures = await _count(session, settings, key, now)
        if failures is not None:
            return Attempt(key, failures)
        next_at = await session.scalar(
            select(SignInThrottle.next_attempt_at).where(SignInThrottle.key == key)
        )
    return max(1, math.ceil(((next_at or now) - now).total_seconds()))


async def succeeded(session: AsyncSession, attempt: Attempt) -> None:
    """The attempt's password was right: it is no failure, and the next step (the code) may
    follow at once. The failures before it still count until the sign-in completes."""
    await session.execute(
        update(SignInThrottle)
        .where(SignInThrottle.key == attempt.key)
        .values(
            failures=case((SignInThrottle.failures > 0, SignInThrottle.failures - 1), else_=0),
            next_attempt_at=None,
        )
        .execution_options(synchronize_session=False)
    )


async def failed_code(session: AsyncSession, settings: Settings, email: str) -> int:
    """A wrong TOTP code counts as a failure of the address too: the password's owner cannot
    try codes faster than the slowdown lets them sign in again. The address's failures now."""
    key = throttle_key(settings, email)
    now = utcnow()
    await _ensure_row(session, key, now)
    row = (
        await session.execute(
            update(SignInThrottle)
            .where(SignInThrottle.key == key)
            .values(failures=SignInThrottle.failures + 1, last_attempt_at=now)
            .returning(SignInThrottle.failures, SignInThrottle.next_attempt_at)
            .execution_options(synchronize_session=False)
        )
    ).one()
    wait = wait_after(settings, row.failures)
    if wait and (row.next_attempt_at is None or row.next_attempt_at < now + wait):
        await session.execute(
            update(SignInThrottle)
            .where(SignInThrottle.key == key)
            .values(next_attempt_at=now + wait)
            .execution_options(synchronize_session=False)
        )
    return int(row.failures)


async def forget(session: AsyncSession, settings: Settings, email: str) -> None:
    """A completed sign-in: the address's failures are forgotten."""
    await session.execute(
        delete(SignInThrottle).where(SignInThrottle.key == throttle_key(settings, email))
    )

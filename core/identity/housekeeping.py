"""Forgetting what sign-in and sign-up keep for a short while only: the failure counts of
addresses with no attempt for a day, and sign-ups whose link expired (their name, address and
password hash go with them)."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import delete

from core.db import Database, rowcount
from core.identity.throttle import FORGET_AFTER
from core.models import PendingSignUp, SignInThrottle
from core.models.base import utcnow


@dataclass(frozen=True)
class Forgotten:
    throttles: int
    sign_ups: int


async def forget_stale(db: Database) -> Forgotten:
    now = utcnow()
    async with db.transaction() as session:
        throttles = await session.execute(
            delete(SignInThrottle).where(SignInThrottle.last_attempt_at < now - FORGET_AFTER)
        )
        sign_ups = await session.execute(
            delete(PendingSignUp).where(PendingSignUp.expires_at < now)
        )
    return Forgotten(rowcount(throttles), rowcount(sign_ups))

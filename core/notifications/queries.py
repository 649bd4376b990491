"""Reads of notifications and the outbox."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import and_, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from core.keyed import in_key_order
from core.models import Notification, OutboxEmail, User

MAX_PAGE = 100


async def pending_emails(session: AsyncSession, *, limit: int = 20) -> list[OutboxEmail]:
    """Emails not sent yet, newest first."""
    return list(
        await session.scalars(
            select(OutboxEmail)
            .where(OutboxEmail.sent_at.is_(None))
            .order_by(OutboxEmail.created_at.desc())
            .limit(limit)
        )
    )


async def notifications_page(
    session: AsyncSession,
    user_id: uuid.UUID,
    *,
    unread_only: bool,
    first: int,
    after: tuple[datetime, uuid.UUID] | None,
) -> tuple[list[Notification], bool]:
    """A page of the user's notifications, newest first, after the keyset ``after``
    (``(created_at, id)`` of the last one seen); and whether more follow."""
    first = max(0, min(first, MAX_PAGE))
    statement = select(Notification).where(Notification.user_id == user_id)
    if unread_only:
        statement = statement.where(Notification.read_at.is_(None))
    if after is not None:
        created_at, key = after
        statement = statement.where(
            or_(
                Notification.created_at < created_at,
                and_(Notification.created_at == created_at, Notification.id < key),
            )
        )
    rows = list(
        await session.scalars(
            statement.order_by(Notification.created_at.desc(), Notification.id.desc()).limit(
                first + 1
            )
        )
    )
    return rows[:first], len(rows) > first


async def count_notifications(
    session: AsyncSession, user_id: uuid.UUID, *, unread_only: bool
) -> int:
    statement = select(func.count()).where(Notification.user_id == user_id)
    if unread_only:
        statement = statement.where(Notification.read_at.is_(None))
    return int(await session.scalar(statement) or 0)


async def notifications_by_ids(
    session: AsyncSession, keys: Sequence[uuid.UUID]
) -> list[Notification | None]:
    rows = {
        n.id: n
        for n in await session.scalars(select(Notification).where(Notification.id.in_(keys)))
    }
    return in_key_order(keys, rows)


async def email_opt_outs_by_user_ids(
    session: AsyncSession, keys: Sequence[uuid.UUID]
) -> list[list[str]]:
    rows = dict(
        (await session.execute(select(User.id, User.email_opt_outs).where(User.id.in_(keys)))).all()
    )
    return [list(rows.get(k) or []) for k in keys]

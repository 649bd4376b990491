"""Reads of notifications and the outbox."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from core.models import OutboxEmail


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

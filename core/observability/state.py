"""Figures read when metrics are scraped: backlogs in the database, depths of the queues."""

from __future__ import annotations

import asyncio
from typing import Any

from sqlalchemy import func, or_, select

from core.db import Database
from core.models import OutboxEmail, WebhookDelivery
from core.models.base import utcnow

QUEUES = ("outbox", "sweeps", "webhooks")


async def outbox_state(db: Database) -> tuple[int, float]:
    """Emails not sent yet, and the age in seconds of the oldest that is due now (0: none)."""
    now = utcnow()
    table = OutboxEmail.__table__
    async with db.connection() as connection:
        backlog = await connection.scalar(
            select(func.count()).select_from(table).where(table.c.sent_at.is_(None))
        )
    async with db.connection() as connection:
        oldest = await connection.scalar(
            select(func.min(table.c.created_at)).where(
                table.c.sent_at.is_(None),
                or_(table.c.next_attempt_at.is_(None), table.c.next_attempt_at <= now),
            )
        )
    age = max((now - oldest).total_seconds(), 0.0) if oldest is not None else 0.0
    return int(backlog or 0), age


async def webhook_backlog(db: Database) -> int:
    table = WebhookDelivery.__table__
    async with db.connection() as connection:
        count = await connection.scalar(
            select(func.count()).select_from(table).where(table.c.status == "PENDING")
        )
    return int(count or 0)


async def broker_queue_depths(broker: Any) -> dict[str, int]:
    """Messages enqueued and not done yet per queue (delayed ones included); {} when the
    broker does not answer (the scrape still reports everything else)."""
    if broker is None:
        return {}
    client = getattr(broker, "client", None)
    if client is None:  # the in-process stub broker
        queues = getattr(broker, "queues", {})
        depths = {}
        for name in QUEUES:
            ready = queues.get(name)
            delayed = queues.get(f"{name}.DQ")
            depths[name] = (ready.qsize() if ready else 0) + (delayed.qsize() if delayed else 0)
        return depths
    namespace = getattr(broker, "namespace", "dramatiq")

    def read() -> dict[str, int]:
        pipeline = client.pipeline()
        for name in QUEUES:
            pipeline.hlen(f"{namespace}:{name}.msgs")
            pipeline.hlen(f"{namespace}:{name}.DQ.msgs")
        counts = pipeline.execute()
        return {name: int(counts[2 * i]) + int(counts[2 * i + 1]) for i, name in enumerate(QUEUES)}

    try:
        return await asyncio.wait_for(asyncio.to_thread(read), 2.0)
    except Exception:
        return {}

"""Reading webhook endpoints and their deliveries, scoped to the viewer's LA."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import ColumnElement, and_, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from core.identity.viewer import Viewer
from core.models import WebhookDelivery, WebhookEndpoint

MAX_PAGE = 100


async def endpoints_for(session: AsyncSession, viewer: Viewer) -> list[WebhookEndpoint]:
    return list(
        await session.scalars(
            select(WebhookEndpoint)
            .where(WebhookEndpoint.organisation_id == viewer.organisation_id)
            .order_by(WebhookEndpoint.created_at, WebhookEndpoint.id)
        )
    )


async def endpoints_by_ids(
    session: AsyncSession, keys: Sequence[uuid.UUID]
) -> list[WebhookEndpoint | None]:
    rows = {
        e.id: e
        for e in await session.scalars(select(WebhookEndpoint).where(WebhookEndpoint.id.in_(keys)))
    }
    return [rows.get(k) for k in keys]


async def deliveries_by_ids(
    session: AsyncSession, keys: Sequence[uuid.UUID]
) -> list[tuple[WebhookDelivery, uuid.UUID] | None]:
    """Each delivery with the LA that owns its endpoint."""
    rows = {
        d.id: (d, organisation_id)
        for d, organisation_id in (
            await session.execute(
                select(WebhookDelivery, WebhookEndpoint.organisation_id)
                .join(WebhookEndpoint, WebhookEndpoint.id == WebhookDelivery.endpoint_id)
                .where(WebhookDelivery.id.in_(keys))
            )
        ).all()
    }
    return [rows.get(k) for k in keys]


PageKey = tuple[uuid.UUID, int, tuple[datetime, uuid.UUID] | None]


async def delivery_pages(
    session: AsyncSession, keys: Sequence[PageKey]
) -> list[tuple[list[WebhookDelivery], bool, int]]:
    """For each ``(endpoint id, first, after)``: a page of its deliveries, newest first, after
    the keyset ``after``; whether more follow; and how many it has in all. One statement for
    the pages of every endpoint asked for (a window per endpoint), one for the counts."""
    endpoint_ids = list({key[0] for key in keys})
    counts = dict(
        (
            await session.execute(
                select(WebhookDelivery.endpoint_id, func.count())
                .where(WebhookDelivery.endpoint_id.in_(endpoint_ids))
                .group_by(WebhookDelivery.endpoint_id)
            )
        ).all()
    )
    # Keys asking for the same page (``first`` and ``after``, usually all of them) share one
    # statement: a window over their endpoints.
    groups: dict[tuple[int, tuple[datetime, uuid.UUID] | None], list[uuid.UUID]] = {}
    for endpoint_id, first, after in keys:
        groups.setdefault((max(0, min(first, MAX_PAGE)), after), []).append(endpoint_id)
    found: dict[PageKey, list[WebhookDelivery]] = {}
    for (first, after), ids in groups.items():
        condition: ColumnElement[bool] = WebhookDelivery.endpoint_id.in_(ids)
        if after is not None:
            created_at, key = after
            condition = and_(
                condition,
                or_(
                    WebhookDelivery.created_at < created_at,
                    and_(WebhookDelivery.created_at == created_at, WebhookDelivery.id < key),
                ),
            )
        ranked = (
            select(
                WebhookDelivery,
                func.row_number()
                .over(
                    partition_by=WebhookDelivery.endpoint_id,
                    order_by=(WebhookDelivery.created_at.desc(), WebhookDelivery.id.desc()),
                )
                .label("position"),
            )
            .where(condition)
            .subquery()
        )
        delivery = aliased(WebhookDelivery, ranked)
        ranked_rows = (
            await session.execute(
                select(delivery)
                .where(ranked.c.position <= first + 1)
                .order_by(ranked.c.endpoint_id, ranked.c.position)
            )
        ).scalars()
        for row in ranked_rows:
            found.setdefault((row.endpoint_id, first, after), []).append(row)
    pages = []
    for endpoint_id, first, after in keys:
        first = max(0, min(first, MAX_PAGE))
        rows = found.get((endpoint_id, first, after), [])
        pages.append((rows[:first], len(rows) > first, int(counts.get(endpoint_id, 0))))
    return pages

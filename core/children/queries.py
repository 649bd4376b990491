"""Reading the access log: who may see which reads of a referral, a page at a time."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.sql.elements import ColumnElement

from core.identity.roles import Role
from core.identity.viewer import Viewer
from core.models import AccessLogEntry, ApiToken, Referral, ReferralDelivery

MAX_PAGE = 100


@dataclass(frozen=True)
class AccessLogPage:
    rows: list[AccessLogEntry]
    has_next: bool


async def _scope(
    session: AsyncSession, viewer: Viewer | None, referral_id: uuid.UUID
) -> ColumnElement[bool] | None:
    """Which reads of the referral the viewer sees: the referral's LA admins every read, a
    provider's admins their own organisation's (of a referral delivered to it); else none."""
    if viewer is None or viewer.user_id is None:
        return None
    if viewer.has(Role.LA_ADMIN):
        owner = await session.scalar(
            select(Referral.local_authority_id).where(Referral.id == referral_id)
        )
        if owner is not None and owner == viewer.organisation_id:
            return AccessLogEntry.referral_id == referral_id
        return None
    if viewer.has(Role.PROVIDER_ADMIN):
        delivered = await session.scalar(
            select(ReferralDelivery.id).where(
                ReferralDelivery.referral_id == referral_id,
                ReferralDelivery.provider_id == viewer.organisation_id,
            )
        )
        if delivered is None:
            return None
        return (AccessLogEntry.referral_id == referral_id) & (
            AccessLogEntry.organisation_id == viewer.organisation_id
        )
    return None


async def access_log_page(
    session: AsyncSession,
    viewer: Viewer | None,
    referral_id: uuid.UUID,
    *,
    first: int,
    after: int | None,
) -> tuple[AccessLogPage, int]:
    """The newest reads first (ids grow as rows are written), and how many the viewer may see
    in all."""
    scope = await _scope(session, viewer, referral_id)
    if scope is None:
        return AccessLogPage(rows=[], has_next=False), 0
    first = max(0, min(first, MAX_PAGE))
    statement = select(AccessLogEntry).where(scope)
    if after is not None:
        statement = statement.where(AccessLogEntry.id < after)
    rows = list(
        await session.scalars(statement.order_by(AccessLogEntry.id.desc()).limit(first + 1))
    )
    total = await session.scalar(select(func.count()).select_from(AccessLogEntry).where(scope))
    return AccessLogPage(rows=rows[:first], has_next=len(rows) > first), int(total or 0)


async def visible_access_entry(
    session: AsyncSession, viewer: Viewer | None, key: int
) -> AccessLogEntry | None:
    entry = await session.get(AccessLogEntry, key)
    if entry is None:
        return None
    scope = await _scope(session, viewer, entry.referral_id)
    if scope is None:
        return None
    visible = await session.scalar(select(AccessLogEntry.id).where(scope, AccessLogEntry.id == key))
    return entry if visible is not None else None


async def api_tokens_by_ids(
    session: AsyncSession, ids: Sequence[uuid.UUID]
) -> list[ApiToken | None]:
    rows = {t.id: t for t in await session.scalars(select(ApiToken).where(ApiToken.id.in_(ids)))}
    return [rows.get(i) for i in ids]

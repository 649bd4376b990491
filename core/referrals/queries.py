"""Reading referrals: the viewer's page of them, and bulk reads for their fields."""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import and_, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from core.identity.viewer import Viewer
from core.models import (
    DeliveryHome,
    Document,
    Home,
    Referral,
    ReferralDelivery,
    ReferralDocument,
    ReferralVersion,
)

MAX_PAGE = 100


@dataclass(frozen=True)
class ReferralRow:
    """A referral as the viewer may see it: a provider sees the version delivered to it
    (``delivery`` and that version's ``snapshot``, read in the same statement)."""

    referral: Referral
    delivery: ReferralDelivery | None = None
    snapshot: dict[str, Any] | None = None


@dataclass(frozen=True)
class ReferralPage:
    rows: list[ReferralRow]
    total: int
    has_next: bool


def _visible(viewer: Viewer) -> tuple[Any, list[Any]]:
    """The join and conditions of the referrals ``viewer`` may see."""
    if viewer.is_local_authority:
        return None, [Referral.local_authority_id == viewer.organisation_id]
    return (
        and_(
            ReferralDelivery.referral_id == Referral.id,
            ReferralDelivery.provider_id == viewer.organisation_id,
        ),
        [],
    )


def _with_delivery(statement: Any, join: Any) -> Any:
    """A provider's rows: its delivery and the snapshot of the version delivered."""
    return statement.join(ReferralDelivery, join).join(
        ReferralVersion,
        and_(
            ReferralVersion.referral_id == Referral.id,
            ReferralVersion.version == ReferralDelivery.version,
        ),
    )


def _row(row: Any, provider_view: bool) -> ReferralRow:
    if provider_view:
        return ReferralRow(row[0], row[1], row[2])
    return ReferralRow(row[0])


async def referral_page(
    session: AsyncSession,
    viewer: Viewer,
    *,
    status: str | None,
    category: str | None,
    first: int,
    after: tuple[datetime, uuid.UUID] | None,
) -> ReferralPage:
    """One page of the viewer's referrals, newest first, keyset-paged in SQL."""
    limit = max(0, min(first, MAX_PAGE))
    join, conditions = _visible(viewer)
    if status:
        conditions.append(Referral.status == status)
    if category:
        conditions.append(Referral.category == category)
    columns: list[Any] = [Referral]
    if join is not None:
        columns += [ReferralDelivery, ReferralVersion.content]
    statement = select(*columns)
    count = select(func.count()).select_from(Referral)
    if join is not None:
        statement = _with_delivery(statement, join)
        count = count.join(ReferralDelivery, join)
    statement = statement.where(*conditions)
    count = count.where(*conditions)
    if after is not None:
        stamp, key = after
        statement = statement.where(
            or_(Referral.created_at < stamp, and_(Referral.created_at == stamp, Referral.id < key))
        )
    statement = statement.order_by(Referral.created_at.desc(), Referral.id.desc()).limit(limit + 1)
    result = (await session.execute(statement)).all()
    total = int(await session.scalar(count) or 0)
    rows = [_row(row, join is not None) for row in result[:limit]]
    return ReferralPage(rows=rows, total=total, has_next=len(result) > limit)


async def visible_referral(
    session: AsyncSession, viewer: Viewer, key: uuid.UUID
) -> ReferralRow | None:
    """One referral if the viewer may see it (else None: never a hint that it exists)."""
    join, conditions = _visible(viewer)
    columns: list[Any] = [Referral]
    if join is not None:
        columns += [ReferralDelivery, ReferralVersion.content]
    statement = select(*columns).where(Referral.id == key, *conditions)
    if join is not None:
        statement = _with_delivery(statement, join)
    row = (await session.execute(statement)).first()
    return _row(row, join is not None) if row is not None else None


async def versions_by_keys(
    session: AsyncSession, keys: Sequence[tuple[uuid.UUID, int]]
) -> list[dict[str, Any] | None]:
    """Snapshots by (referral id, version)."""
    wanted = set(keys)
    found = {
        (row.referral_id, row.version): row.content
        for row in await session.scalars(
            select(ReferralVersion).where(ReferralVersion.referral_id.in_({k[0] for k in keys}))
        )
        if (row.referral_id, row.version) in wanted
    }
    return [found.get(k) for k in keys]


async def deliveries_by_referral_ids(
    session: AsyncSession, ids: Sequence[uuid.UUID]
) -> list[list[ReferralDelivery]]:
    found: dict[uuid.UUID, list[ReferralDelivery]] = defaultdict(list)
    for delivery in await session.scalars(
        select(ReferralDelivery)
        .where(ReferralDelivery.referral_id.in_(ids))
        .order_by(ReferralDelivery.delivered_at, ReferralDelivery.id)
    ):
        found[delivery.referral_id].append(delivery)
    return [found.get(i, []) for i in ids]


async def deliveries_by_referral_and_provider(
    session: AsyncSession, keys: Sequence[tuple[uuid.UUID, uuid.UUID]]
) -> list[ReferralDelivery | None]:
    """Deliveries by (referral id, provider id): one indexed statement per provider (a page
    of a provider's referrals has one provider)."""
    by_provider: dict[uuid.UUID, set[uuid.UUID]] = defaultdict(set)
    for referral_id, provider_id in keys:
        by_provider[provider_id].add(referral_id)
    found: dict[tuple[uuid.UUID, uuid.UUID], ReferralDelivery] = {}
    for provider_id, referral_ids in by_provider.items():
        for delivery in await session.scalars(
            select(ReferralDelivery).where(
                ReferralDelivery.provider_id == provider_id,
                ReferralDelivery.referral_id.in_(referral_ids),
            )
        ):
            found[(delivery.referral_id, delivery.provider_id)] = delivery
    return [found.get(k) for k in keys]


async def matched_homes_by_delivery_ids(
    session: AsyncSession, ids: Sequence[uuid.UUID]
) -> list[list[Home]]:
    found: dict[uuid.UUID, list[Home]] = defaultdict(list)
    for delivery_id, home in await session.execute(
        select(DeliveryHome.delivery_id, Home)
        .join(Home, Home.id == DeliveryHome.home_id)
        .where(DeliveryHome.delivery_id.in_(ids))
        .order_by(Home.name)
    ):
        found[delivery_id].append(home)
    return [found.get(i, []) for i in ids]


async def documents_by_referral_ids(
    session: AsyncSession, ids: Sequence[uuid.UUID]
) -> list[list[Document]]:
    found: dict[uuid.UUID, list[Document]] = defaultdict(list)
    for referral_id, document in await session.execute(
        select(ReferralDocument.referral_id, Document)
        .join(Document, Document.id == ReferralDocument.document_id)
        .where(ReferralDocument.referral_id.in_(ids))
        .order_by(ReferralDocument.position)
    ):
        found[referral_id].append(document)
    return [found.get(i, []) for i in ids]

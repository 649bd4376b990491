"""Reading referrals: the viewer's page of them, and bulk reads for their fields."""

from __future__ import annotations

import uuid
from collections import defaultdict, namedtuple
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from functools import cached_property, lru_cache
from operator import attrgetter
from typing import Any, NamedTuple

from orjson import loads
from sqlalchemy import Integer, Select, Text, and_, bindparam, cast, func, or_, select, tuple_
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncSession

from core.db import DriverSelect
from core.documents.queries import linked_documents
from core.identity.viewer import Viewer
from core.keyed import groups, in_key_order
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
    (``delivery`` and that version's ``snapshot``, read in the same statement).

    ``referral`` is the ORM object, or in a page of them a :class:`ListedReferral`
    (:class:`ListedLiveReferral` for the LA); ``delivery`` likewise, or a :class:`DeliveryRow`.
    """

    referral: Any
    delivery: Any = None
    snapshot: dict[str, Any] | None = None


class DeliveryRow(NamedTuple):
    """A provider's delivery as a page of referrals reads it (ReferralDelivery's names)."""

    id: uuid.UUID
    provider_id: uuid.UUID
    status: str
    version: int
    delivered_at: datetime
    decline_reason: str | None
    decline_reason_code: str | None
    responded_at: datetime | None
    opened_at: datetime | None


@dataclass
class ReferralPage:
    """A page as read: ``records`` hold :data:`PROVIDER_RECORD`'s fields for a provider's page
    (``provider_id``), :data:`LIVE_RECORD`'s for the LA's; :attr:`rows` are made from them when
    first read (schema/referrals reads a plain selection straight from the records)."""

    records: Sequence[Sequence[Any]]
    has_next: bool
    provider_id: uuid.UUID | None = None

    @cached_property
    def rows(self) -> list[ReferralRow]:
        """The records as :class:`ReferralRow`\\ s (ListedReferral, DeliveryRow, snapshot)."""
        provider = self.provider_id
        if provider is None:
            return [ReferralRow(ListedLiveReferral._make(row)) for row in self.records]
        return [
            ReferralRow(
                ListedReferral(  # type: ignore[call-arg]  # fields from LIST_COLUMNS
                    key, la, reference, category, status, version, created, sent, purged, respond_by
                ),
                DeliveryRow(
                    delivery,
                    provider,
                    delivery_status,
                    delivered_version,
                    at,
                    reason,
                    reason_code,
                    responded_at,
                    opened_at,
                ),
                loads(content),
            )
            for (
                key,
                la,
                reference,
                category,
                status,
                version,
                created,
                sent,
                purged,
                respond_by,
                delivery,
                delivery_status,
                delivered_version,
                at,
                reason,
                reason_code,
                responded_at,
                opened_at,
                content,
            ) in self.records
        ]


#: What a page shows of each referral. Plain columns, not ORM objects: a page of 50 is read on
#: every visit to the list, and entity loading was most of its cost.
LIST_COLUMNS = (
    Referral.id,
    Referral.local_authority_id,
    Referral.reference,
    Referral.category,
    Referral.status,
    Referral.version,
    Referral.created_at,
    Referral.sent_at,
    Referral.purged_at,
    Referral.respond_by,
)
#: The LA sees the live content; a provider the snapshot of the version delivered to it.
LIVE_CONTENT = (
    Referral.urgency,
    Referral.children,
    Referral.summary,
    Referral.postcode,
    Referral.required_from,
    Referral.details,
)
DELIVERY_COLUMNS = (
    ReferralDelivery.id.label("delivery_id"),
    ReferralDelivery.status.label("delivery_status"),
    ReferralDelivery.version.label("delivery_version"),
    ReferralDelivery.delivered_at,
    ReferralDelivery.decline_reason,
    ReferralDelivery.decline_reason_code,
    ReferralDelivery.responded_at,
    ReferralDelivery.opened_at,
    # As text, decoded with orjson in the page's row loop: no codec call per row.
    cast(ReferralVersion.content, Text).label("content"),
)


#: A referral as a page reads it, by the model's names: :data:`LIST_COLUMNS` (a provider's
#: page), with :data:`LIVE_CONTENT` (the LA's). A page's rows are copied into these named
#: tuples: reading a field of a SQLAlchemy ``Row`` by name costs about ten times as much as a
#: tuple's, and a page of 50 reads a thousand.
ListedReferral = namedtuple("ListedReferral", [c.key for c in LIST_COLUMNS])  # type: ignore[misc]  # fields computed from the columns
ListedLiveReferral = namedtuple(  # type: ignore[misc]  # fields computed from the columns
    "ListedLiveReferral", [c.key for c in (*LIST_COLUMNS, *LIVE_CONTENT)]
)
#: Where each field sits in a page's records (:class:`ReferralPage`), by the names above.
PROVIDER_RECORD = {
    name: index
    for index, name in enumerate([c.key for c in LIST_COLUMNS] + [c.key for c in DELIVERY_COLUMNS])
}
LIVE_RECORD: dict[str, int] = {
    name: index for index, name in enumerate(c.key for c in (*LIST_COLUMNS, *LIVE_CONTENT))
}
assert all(PROVIDER_RECORD[c.key] == LIVE_RECORD[c.key] for c in LIST_COLUMNS)
#: The order ReferralPage.rows unpacks a provider's rows in, after LIST_COLUMNS.
assert tuple(c.key for c in DELIVERY_COLUMNS) == (
    "delivery_id",
    "delivery_status",
    "delivery_version",
    "delivered_at",
    "decline_reason",
    "decline_reason_code",
    "responded_at",
    "opened_at",
    "content",
)


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


@lru_cache(maxsize=32)
def _page_statement(
    provider_view: bool, by_status: bool, by_category: bool, after: bool
) -> DriverSelect:
    """The page statement for one combination of filters, built once: the values are bound
    parameters (``organisation``, ``status``, ``category``, ``stamp``, ``key``, ``limit``).

    Run at the driver on PostgreSQL: its columns are ones asyncpg reads as SQLAlchemy hands
    them back (UUIDs, text, integers, dates, ``UTCDateTime``, and the LA's JSONB, which
    SQLAlchemy decodes in the codec it registers on the driver's connection; a provider's
    snapshot is read as text, decoded in :func:`referral_page`), its parameters ones that
    need no processing (a UUID, text, an aware datetime, an integer)."""
    return DriverSelect(_page_select(provider_view, by_status, by_category, after))


def _page_select(
    provider_view: bool, by_status: bool, by_category: bool, after: bool
) -> Select[Any]:
    organisation = bindparam("organisation", type_=Referral.local_authority_id.type)
    if provider_view:
        statement = _with_delivery(
            select(*LIST_COLUMNS, *DELIVERY_COLUMNS),
            and_(
                ReferralDelivery.referral_id == Referral.id,
                ReferralDelivery.provider_id == organisation,
            ),
        )
    else:
        statement = select(*LIST_COLUMNS, *LIVE_CONTENT).where(
            Referral.local_authority_id == organisation
        )
    if by_status:
        statement = statement.where(Referral.status == bindparam("status"))
    if by_category:
        statement = statement.where(Referral.category == bindparam("category"))
    if after:
        stamp = bindparam("stamp", type_=Referral.created_at.type)
        key = bindparam("key", type_=Referral.id.type)
        statement = statement.where(
            or_(Referral.created_at < stamp, and_(Referral.created_at == stamp, Referral.id < key))
        )
    return statement.order_by(Referral.created_at.desc(), Referral.id.desc()).limit(
        bindparam("limit", type_=Integer())
    )


async def referral_page(
    connection: AsyncConnection,
    viewer: Viewer,
    *,
    status: str | None,
    category: str | None,
    first: int,
    after: tuple[datetime, uuid.UUID] | None,
) -> ReferralPage:
    """One page of the viewer's referrals, newest first, keyset-paged in SQL."""
    limit = max(0, min(first, MAX_PAGE))
    provider_view = not viewer.is_local_authority
    statement = _page_statement(provider_view, bool(status), bool(category), after is not None)
    params: dict[str, Any] = {"organisation": viewer.organisation_id, "limit": limit + 1}
    if status:
        params["status"] = status
    if category:
        params["category"] = category
    if after is not None:
        params["stamp"], params["key"] = after
    result = await statement.all(connection, params)
    return ReferralPage(
        result[:limit], len(result) > limit, viewer.organisation_id if provider_view else None
    )


@lru_cache(maxsize=8)
def _count_statement(provider_view: bool, by_status: bool, by_category: bool) -> DriverSelect:
    """What :func:`_page_statement` pages through, counted; built once, run like it."""
    organisation = bindparam("organisation", type_=Referral.local_authority_id.type)
    statement = select(func.count()).select_from(Referral)
    if provider_view:
        statement = statement.join(
            ReferralDelivery,
            and_(
                ReferralDelivery.referral_id == Referral.id,
                ReferralDelivery.provider_id == organisation,
            ),
        )
    else:
        statement = statement.where(Referral.local_authority_id == organisation)
    if by_status:
        statement = statement.where(Referral.status == bindparam("status"))
    if by_category:
        statement = statement.where(Referral.category == bindparam("category"))
    return DriverSelect(statement)


async def referral_count(
    connection: AsyncConnection,
    viewer: Viewer,
    *,
    status: str | None,
    category: str | None,
) -> int:
    """How many referrals the viewer's list has (with the same filters), for ``totalCount``."""
    statement = _count_statement(not viewer.is_local_authority, bool(status), bool(category))
    params: dict[str, Any] = {"organisation": viewer.organisation_id}
    if status:
        params["status"] = status
    if category:
        params["category"] = category
    rows = await statement.all(connection, params)
    return int(rows[0][0] or 0)


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
    """Snapshots by (referral id, version): only the versions asked for are read."""
    found = {
        (row.referral_id, row.version): row.content
        for row in await session.execute(
            select(
                ReferralVersion.referral_id, ReferralVersion.version, ReferralVersion.content
            ).where(tuple_(ReferralVersion.referral_id, ReferralVersion.version).in_(set(keys)))
        )
    }
    return in_key_order(keys, found)


async def deliveries_by_referral_ids(
    session: AsyncSession, ids: Sequence[uuid.UUID]
) -> list[list[ReferralDelivery]]:
    return groups(
        ids,
        await session.scalars(
            select(ReferralDelivery)
            .where(ReferralDelivery.referral_id.in_(ids))
            .order_by(ReferralDelivery.delivered_at, ReferralDelivery.id)
        ),
        key=attrgetter("referral_id"),
    )


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
    return in_key_order(keys, found)


async def matched_homes_by_delivery_ids(
    session: AsyncSession, ids: Sequence[uuid.UUID]
) -> list[list[Home]]:
    return groups(
        ids,
        await session.execute(
            select(DeliveryHome.delivery_id, Home)
            .join(Home, Home.id == DeliveryHome.home_id)
            .where(DeliveryHome.delivery_id.in_(ids))
            .order_by(Home.name)
        ),
    )


async def documents_by_referral_ids(
    session: AsyncSession, ids: Sequence[uuid.UUID]
) -> list[list[Document]]:
    return await linked_documents(
        session,
        ReferralDocument.referral_id,
        ReferralDocument.document_id,
        ids,
        ReferralDocument.position,
    )

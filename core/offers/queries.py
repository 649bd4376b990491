"""Reading offers and saved fostering families: bulk reads in key order, scoped to the viewer.

Who sees which offer is decided in ``core.offers.visibility``; the loaders here read for
fields of what the viewer already sees.
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Sequence
from operator import attrgetter

from sqlalchemy import and_, select
from sqlalchemy.ext.asyncio import AsyncSession

from core.documents.queries import linked_documents
from core.identity.viewer import Viewer
from core.keyed import groups, in_key_order, one_each
from core.models import (
    Document,
    FosteringFamily,
    Offer,
    OfferDocument,
    Referral,
    ReferralDelivery,
    ReferralVersion,
)
from core.offers.visibility import reads_offers_as_provider
from core.referrals.queries import ReferralRow

MAX_FAMILIES = 50


def _ordered(statement):
    return statement.order_by(Offer.submitted_at, Offer.id)


async def offers_by_ids(session: AsyncSession, ids: Sequence[uuid.UUID]) -> list[Offer | None]:
    return one_each(ids, await session.scalars(select(Offer).where(Offer.id.in_(ids))))


async def offers_by_referral_ids(
    session: AsyncSession, ids: Sequence[uuid.UUID]
) -> list[list[Offer]]:
    """Every offer on each referral (the LA's view), oldest first."""
    return groups(
        ids,
        await session.scalars(_ordered(select(Offer).where(Offer.referral_id.in_(ids)))),
        key=attrgetter("referral_id"),
    )


async def offers_by_referral_and_provider(
    session: AsyncSession, keys: Sequence[tuple[uuid.UUID, uuid.UUID]]
) -> list[list[Offer]]:
    """A provider's own offers on each referral: one statement per provider (a page of a
    provider's referrals has one)."""
    by_provider: dict[uuid.UUID, set[uuid.UUID]] = defaultdict(set)
    for referral_id, provider_id in keys:
        by_provider[provider_id].add(referral_id)
    found: dict[tuple[uuid.UUID, uuid.UUID], list[Offer]] = defaultdict(list)
    for provider_id, referral_ids in by_provider.items():
        for offer in await session.scalars(
            _ordered(
                select(Offer).where(
                    Offer.provider_id == provider_id, Offer.referral_id.in_(referral_ids)
                )
            )
        ):
            found[(offer.referral_id, offer.provider_id)].append(offer)
    return in_key_order(keys, found, [])


async def documents_by_offer_ids(
    session: AsyncSession, ids: Sequence[uuid.UUID]
) -> list[list[Document]]:
    """Each offer's documents: the compulsory ones (as at submission) first, then the rest."""
    return await linked_documents(
        session,
        OfferDocument.offer_id,
        OfferDocument.document_id,
        ids,
        OfferDocument.compulsory.desc(),
        OfferDocument.position,
    )


async def referral_rows_by_keys(
    session: AsyncSession, keys: Sequence[tuple[uuid.UUID, uuid.UUID | None]]
) -> list[ReferralRow | None]:
    """``Offer.referral``: by (referral id, None) the LA's view; by (referral id, provider id)
    the provider's view (its delivery and the version delivered). Two statements at most."""
    found: dict[tuple[uuid.UUID, uuid.UUID | None], ReferralRow] = {}
    la_ids = {k[0] for k in keys if k[1] is None}
    if la_ids:
        for referral in await session.scalars(select(Referral).where(Referral.id.in_(la_ids))):
            found[(referral.id, None)] = ReferralRow(referral)
    provider_keys = {k for k in keys if k[1] is not None}
    if provider_keys:
        rows = await session.execute(
            select(Referral, ReferralDelivery, ReferralVersion.content)
            .join(ReferralDelivery, ReferralDelivery.referral_id == Referral.id)
            .join(
                ReferralVersion,
                and_(
                    ReferralVersion.referral_id == Referral.id,
                    ReferralVersion.version == ReferralDelivery.version,
                ),
            )
            .where(
                Referral.id.in_({k[0] for k in provider_keys}),
                ReferralDelivery.provider_id.in_({k[1] for k in provider_keys}),
            )
        )
        for referral, delivery, content in rows:
            key = (referral.id, delivery.provider_id)
            if key in provider_keys:
                found[key] = ReferralRow(referral, delivery, content)
    return in_key_order(keys, found)


async def fostering_families(
    session: AsyncSession, viewer: Viewer, search: str | None
) -> list[FosteringFamily]:
    """The provider's saved families, most recently used first; ``search`` in the label."""
    statement = select(FosteringFamily).where(FosteringFamily.provider_id == viewer.organisation_id)
    wanted = (search or "").strip()
    if wanted:
        escaped = wanted.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        statement = statement.where(FosteringFamily.label.ilike(f"%{escaped}%", escape="\\"))
    statement = statement.order_by(
        FosteringFamily.last_used_at.desc().nulls_last(),
        FosteringFamily.created_at.desc(),
        FosteringFamily.id,
    ).limit(MAX_FAMILIES)
    return list(await session.scalars(statement))


async def visible_family(
    session: AsyncSession, viewer: Viewer | None, key: uuid.UUID
) -> FosteringFamily | None:
    if not reads_offers_as_provider(viewer):
        return None
    assert viewer is not None
    return await session.scalar(
        select(FosteringFamily).where(
            FosteringFamily.id == key, FosteringFamily.provider_id == viewer.organisation_id
        )
    )

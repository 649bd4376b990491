"""Reading IPAs: the viewer's list, one by id, and bulk reads for their fields."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from operator import attrgetter

from sqlalchemy import case, select
from sqlalchemy.ext.asyncio import AsyncSession

from core.documents.queries import linked_documents
from core.identity.viewer import Viewer
from core.ipas.kinds import LIVE_STATUSES
from core.ipas.visibility import visible_condition
from core.keyed import groups, in_key_order, one_each
from core.models import Document, Ipa, IpaDocument, IpaSignature, Offer, Referral

MAX_LIST = 500


@dataclass(frozen=True)
class IpaRow:
    """An IPA with what deciding who sees it needs (and its referral, read alongside)."""

    ipa: Ipa
    referral: Referral
    provider_id: uuid.UUID

    @property
    def local_authority_id(self) -> uuid.UUID:
        return self.referral.local_authority_id


def _statement():
    return (
        select(Ipa, Referral, Offer.provider_id)
        .join(Referral, Referral.id == Ipa.referral_id)
        .join(Offer, Offer.id == Ipa.offer_id)
    )


async def visible_ipas(
    session: AsyncSession, viewer: Viewer, *, status: str | None = None
) -> list[IpaRow]:
    """The IPAs ``viewer`` may see, newest first (one statement)."""
    statement = _statement().where(visible_condition(viewer))
    if status:
        statement = statement.where(Ipa.status == status)
    statement = statement.order_by(Ipa.created_at.desc(), Ipa.id.desc()).limit(MAX_LIST)
    return [IpaRow(*row) for row in (await session.execute(statement)).all()]


async def visible_ipa(session: AsyncSession, viewer: Viewer, key: uuid.UUID) -> IpaRow | None:
    row = (
        await session.execute(_statement().where(Ipa.id == key, visible_condition(viewer)))
    ).first()
    return IpaRow(*row) if row is not None else None


async def ipas_by_ids(session: AsyncSession, ids: Sequence[uuid.UUID]) -> list[IpaRow | None]:
    found = {
        row[0].id: IpaRow(*row)
        for row in (await session.execute(_statement().where(Ipa.id.in_(ids)))).all()
    }
    return in_key_order(ids, found)


async def current_ipas_by_referral_ids(
    session: AsyncSession, ids: Sequence[uuid.UUID]
) -> list[IpaRow | None]:
    """Each referral's live IPA, or else its latest (superseded) one."""
    live_first = case((Ipa.status.in_(LIVE_STATUSES), 0), else_=1)
    found: dict[uuid.UUID, IpaRow] = {}
    for row in (
        await session.execute(
            _statement()
            .where(Ipa.referral_id.in_(ids))
            .order_by(live_first, Ipa.created_at.desc(), Ipa.id.desc())
        )
    ).all():
        found.setdefault(row[0].referral_id, IpaRow(*row))
    return in_key_order(ids, found)


async def referrals_by_ids(
    session: AsyncSession, ids: Sequence[uuid.UUID]
) -> list[Referral | None]:
    return one_each(ids, await session.scalars(select(Referral).where(Referral.id.in_(ids))))


async def documents_by_ipa_ids(
    session: AsyncSession, ids: Sequence[uuid.UUID]
) -> list[list[Document]]:
    return await linked_documents(
        session, IpaDocument.ipa_id, IpaDocument.document_id, ids, IpaDocument.position
    )


async def signatures_by_ipa_ids(
    session: AsyncSession, ids: Sequence[uuid.UUID]
) -> list[list[IpaSignature]]:
    return groups(
        ids,
        await session.scalars(
            select(IpaSignature)
            .where(IpaSignature.ipa_id.in_(ids))
            .order_by(IpaSignature.signed_at, IpaSignature.id)
        ),
        key=attrgetter("ipa_id"),
    )

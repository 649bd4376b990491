"""IPA attachments are visible to whoever may see an IPA they are attached to: both sides'
staff, and their signatories once the IPA is put before them."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from core.identity.viewer import Viewer
from core.ipas.visibility import party_of, visible_condition
from core.models import Document, Ipa, IpaDocument, Offer, Referral


async def parties_of_the_ipa(session: AsyncSession, viewer: Viewer, document: Document) -> bool:
    if party_of(viewer) is None:
        return False
    attached = await session.scalar(
        select(IpaDocument.ipa_id)
        .join(Ipa, Ipa.id == IpaDocument.ipa_id)
        .join(Referral, Referral.id == Ipa.referral_id)
        .join(Offer, Offer.id == Ipa.offer_id)
        .where(IpaDocument.document_id == document.id, visible_condition(viewer))
        .limit(1)
    )
    return attached is not None

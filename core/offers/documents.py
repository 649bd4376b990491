"""Offer documents are downloadable by the staff of the LA whose referral the offer is on."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from core.identity.viewer import Viewer
from core.models import Document, Offer, OfferDocument, Referral
from core.offers.visibility import reads_offers_as_la


async def la_of_the_offered_referral(
    session: AsyncSession, viewer: Viewer, document: Document
) -> bool:
    if not reads_offers_as_la(viewer):
        return False
    found = await session.scalar(
        select(OfferDocument.offer_id)
        .join(Offer, Offer.id == OfferDocument.offer_id)
        .join(Referral, Referral.id == Offer.referral_id)
        .where(
            OfferDocument.document_id == document.id,
            Referral.local_authority_id == viewer.organisation_id,
        )
        .limit(1)
    )
    return found is not None

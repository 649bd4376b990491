"""Referral forms are visible to the providers a referral was delivered to."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from core.documents.access import document_rule
from core.identity.viewer import Viewer
from core.models import Document, ReferralDelivery, ReferralDocument


@document_rule
async def _recipients_of_the_referral(
    session: AsyncSession, viewer: Viewer, document: Document
) -> bool:
    if not viewer.is_provider or viewer.is_signatory_only:
        return False
    delivered = await session.scalar(
        select(ReferralDelivery.id)
        .join(ReferralDocument, ReferralDocument.referral_id == ReferralDelivery.referral_id)
        .where(
            ReferralDocument.document_id == document.id,
            ReferralDelivery.provider_id == viewer.organisation_id,
        )
        .limit(1)
    )
    return delivered is not None

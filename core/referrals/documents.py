"""Referral forms are visible to the providers a referral was delivered to, each provider only
for the version it received (a form attached after, or removed before, its delivery is not
its to see)."""

from __future__ import annotations

from sqlalchemy import String, cast, select
from sqlalchemy.ext.asyncio import AsyncSession

from core.access import sees_case_details
from core.identity.viewer import Viewer
from core.models import Document, Referral, ReferralDelivery, ReferralVersion


async def recipients_of_the_version(
    session: AsyncSession, viewer: Viewer, document: Document
) -> bool:
    if not viewer.is_provider or not sees_case_details(viewer):
        return False
    delivered = await session.scalar(
        select(ReferralDelivery.id)
        .join(Referral, Referral.id == ReferralDelivery.referral_id)
        .join(
            ReferralVersion,
            (ReferralVersion.referral_id == ReferralDelivery.referral_id)
            & (ReferralVersion.version == ReferralDelivery.version),
        )
        .where(
            ReferralDelivery.provider_id == viewer.organisation_id,
            Referral.local_authority_id == document.organisation_id,
            # The snapshot lists the version's documents (``documentIds``, as strings).
            cast(ReferralVersion.content, String).like(f'%"{document.id}"%'),
        )
        .limit(1)
    )
    return delivered is not None

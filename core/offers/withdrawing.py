"""A provider withdraws its SUBMITTED offer; the referral is back to received for it."""

from __future__ import annotations

import uuid

from sqlalchemy import update

from core.db import Database
from core.errors import InvalidState
from core.identity.viewer import Viewer
from core.models import (
    Offer,
    ReferralDelivery,
)
from core.models.base import utcnow
from core.notifications.kinds import NotificationKind
from core.offers.kinds import OfferStatus
from core.offers.locks import own_offer
from core.offers.telling import notify_la
from core.referrals.kinds import DeliveryStatus, ReferralStatus
from core.settings import Settings


async def withdraw_offer(
    db: Database, settings: Settings, viewer: Viewer, *, offer_id: uuid.UUID
) -> Offer:
    async with db.transaction() as session:
        offer, referral = await own_offer(session, viewer, offer_id)
        if offer.status != OfferStatus.SUBMITTED.value:
            raise InvalidState(f"A {offer.status} offer cannot be withdrawn.")
        offer.status = OfferStatus.WITHDRAWN.value
        offer.version += 1
        offer.updated_at = utcnow()
        if referral.status == ReferralStatus.SENT.value:
            # Back to received: the provider may offer again, or decline the referral.
            await session.execute(
                update(ReferralDelivery)
                .where(
                    ReferralDelivery.referral_id == referral.id,
                    ReferralDelivery.provider_id == viewer.organisation_id,
                )
                .values(status=DeliveryStatus.NEW.value)
            )
        await notify_la(
            session,
            settings,
            referral,
            offer,
            NotificationKind.OFFER_WITHDRAWN,
            "withdrew its offer",
        )
    return offer

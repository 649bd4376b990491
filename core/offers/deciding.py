"""The LA's decision: it accepts an offer (the referral is PLACED, every other submitted offer
declined) or declines one with a reason.
"""

from __future__ import annotations

import uuid

from sqlalchemy import select

from core.db import Database
from core.errors import InvalidInput, InvalidState
from core.identity.viewer import Viewer
from core.models import (
    Offer,
    Organisation,
)
from core.models.base import utcnow
from core.notifications.kinds import NotificationKind
from core.notifications.service import Subject, notify
from core.offers.kinds import ANOTHER_OFFER_ACCEPTED, OfferStatus
from core.offers.locks import la_offer, open_for
from core.offers.telling import notify_declined, provider_staff
from core.referrals.kinds import DeclineReasonCode, ReferralStatus
from core.settings import Settings


async def accept_offer(
    db: Database, settings: Settings, viewer: Viewer, *, offer_id: uuid.UUID
) -> Offer:
    """The LA accepts: the referral is PLACED and every other submitted offer is declined."""
    async with db.transaction() as session:
        offer, referral = await la_offer(session, viewer, offer_id)
        if offer.status != OfferStatus.SUBMITTED.value:
            raise InvalidState(f"A {offer.status} offer cannot be accepted.")
        if not open_for(referral, offer.supersedes_id):
            raise InvalidState(f"Offers on a {referral.status} referral cannot be accepted.")
        now = utcnow()
        if offer.supersedes_id is not None:
            # A revision: the offer it revises is superseded now, and only now.
            revised = await session.scalar(
                select(Offer).where(Offer.id == offer.supersedes_id).with_for_update()
            )
            if revised is None or revised.status != OfferStatus.ACCEPTED.value:
                raise InvalidState("The offer this revision changes is no longer accepted.")
            revised.status = OfferStatus.SUPERSEDED.value
            revised.updated_at = now
            await session.flush()
        accepted = await session.scalar(
            select(Offer.id).where(
                Offer.referral_id == referral.id, Offer.status == OfferStatus.ACCEPTED.value
            )
        )
        if accepted is not None:
            raise InvalidState("Another offer on this referral is already accepted.")
        offer.status = OfferStatus.ACCEPTED.value
        offer.decided_at = now
        offer.decided_by_id = viewer.user_id
        offer.decided_by_api_token_id = viewer.api_token_id
        referral.status = ReferralStatus.PLACED.value
        referral.updated_at = now
        others = list(
            await session.scalars(
                select(Offer)
                .where(
                    Offer.referral_id == referral.id,
                    Offer.id != offer.id,
                    Offer.status == OfferStatus.SUBMITTED.value,
                )
                .with_for_update()
            )
        )
        for other in others:
            other.status = OfferStatus.DECLINED.value
            other.decided_at = now
            other.decided_by_id = viewer.user_id
            other.decided_by_api_token_id = viewer.api_token_id
            other.decline_reason = ANOTHER_OFFER_ACCEPTED
            other.decline_reason_code = DeclineReasonCode.OTHER.value
        la_name = await session.scalar(
            select(Organisation.name).where(Organisation.id == referral.local_authority_id)
        )
        await notify(
            session,
            settings,
            recipients=provider_staff([offer.provider_id]),
            kind=NotificationKind.OFFER_ACCEPTED,
            message=f"{la_name} accepted your offer on referral {referral.reference}.",
            subject=Subject("Offer", offer.id),
            email_subject=f"Offer accepted: referral {referral.reference}",
        )
        for other in others:
            await notify_declined(session, settings, la_name, referral, other)
    return offer


async def decline_offer(
    db: Database,
    settings: Settings,
    viewer: Viewer,
    *,
    offer_id: uuid.UUID,
    reason: str,
    reason_code: str | None = None,
) -> Offer:
    cleaned = reason.strip()
    if not cleaned:
        raise InvalidInput(
            "Give the reason for declining the offer; the provider is told it.",
            field=("input", "reason"),
        )
    async with db.transaction() as session:
        offer, referral = await la_offer(session, viewer, offer_id)
        if offer.status != OfferStatus.SUBMITTED.value:
            raise InvalidState(f"A {offer.status} offer cannot be declined.")
        offer.status = OfferStatus.DECLINED.value
        offer.decided_at = utcnow()
        offer.decided_by_id = viewer.user_id
        offer.decided_by_api_token_id = viewer.api_token_id
        offer.decline_reason = cleaned[:2000]
        offer.decline_reason_code = reason_code or DeclineReasonCode.OTHER.value
        la_name = await session.scalar(
            select(Organisation.name).where(Organisation.id == referral.local_authority_id)
        )
        await notify_declined(session, settings, la_name, referral, offer)
    return offer

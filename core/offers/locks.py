"""An offer and its referral read inside a unit of work, locked in the order every change uses."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from core.errors import NotFound
from core.identity.viewer import Viewer
from core.models import (
    Offer,
    Referral,
    ReferralDelivery,
)
from core.referrals.kinds import ReferralStatus

# ---------------------------------------------------------------- reading inside a unit of work


@dataclass(frozen=True)
class Received:
    referral: Referral
    delivery: ReferralDelivery


async def received_referral(
    session: AsyncSession, viewer: Viewer, referral_id: uuid.UUID, field: tuple[str, ...]
) -> Received:
    """The referral as delivered to the viewer's provider, locked against an acceptance."""
    row = (
        await session.execute(
            select(Referral, ReferralDelivery)
            .join(ReferralDelivery, ReferralDelivery.referral_id == Referral.id)
            .where(
                Referral.id == referral_id,
                ReferralDelivery.provider_id == viewer.organisation_id,
            )
            # Shared: people of several providers may offer at once, but an acceptance
            # (FOR UPDATE) waits for them, and they for it.
            .with_for_update(read=True, of=Referral)
        )
    ).first()
    if row is None:
        raise NotFound("No referral with this id was found.", field=field)
    return Received(row[0], row[1])


async def own_offer(
    session: AsyncSession, viewer: Viewer, offer_id: uuid.UUID
) -> tuple[Offer, Referral]:
    row = (
        await session.execute(
            select(Offer, Referral)
            .join(Referral, Referral.id == Offer.referral_id)
            .where(Offer.id == offer_id)
            # The offer only: an acceptance locks it too, other providers' offers go on.
            .with_for_update(of=Offer)
        )
    ).first()
    if row is None or row[0].provider_id != viewer.organisation_id:
        raise NotFound("No offer with this id was found.", field=("input", "id"))
    return row[0], row[1]


async def la_offer(
    session: AsyncSession, viewer: Viewer, offer_id: uuid.UUID
) -> tuple[Offer, Referral]:
    """The offer and its referral, locked in the one fixed order every decision uses: the
    referral first, then its offers. (Locking both rows in one joined statement let two
    acceptances of one referral's offers each hold an offer and wait for the other's: a
    deadlock on PostgreSQL.)"""
    referral_id = await session.scalar(select(Offer.referral_id).where(Offer.id == offer_id))
    referral = (
        await session.scalar(select(Referral).where(Referral.id == referral_id).with_for_update())
        if referral_id is not None
        else None
    )
    if referral is None or referral.local_authority_id != viewer.organisation_id:
        raise NotFound("No offer with this id was found.", field=("input", "id"))
    offer = await session.scalar(select(Offer).where(Offer.id == offer_id).with_for_update())
    assert offer is not None  # offers are never deleted
    return offer, referral


def open_for(referral: Referral, offer_supersedes: uuid.UUID | None) -> bool:
    """A SENT referral takes offers; a PLACED one only the revision of its accepted offer."""
    if referral.status == ReferralStatus.SENT.value:
        return True
    return referral.status == ReferralStatus.PLACED.value and offer_supersedes is not None

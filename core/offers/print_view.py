"""What an offer's print view (and its PDF) shows, read for a viewer who may see the offer."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncSession

from core.identity.viewer import Viewer
from core.models import Home, Offer, Organisation, Referral
from core.offers.visibility import visible_offer


@dataclass(frozen=True)
class OfferPrint:
    offer: Offer
    referral: Referral
    home: Home
    provider: Organisation
    local_authority: Organisation


async def offer_to_print(
    session: AsyncSession, viewer: Viewer | None, key: uuid.UUID
) -> OfferPrint | None:
    """The offer and what its page names, if ``viewer`` may see it (the API's rule); else None."""
    offer = await visible_offer(session, viewer, key)
    if offer is None:
        return None
    referral = await session.get(Referral, offer.referral_id)
    home = await session.get(Home, offer.home_id)
    provider = await session.get(Organisation, offer.provider_id)
    assert referral is not None and home is not None and provider is not None
    local_authority = await session.get(Organisation, referral.local_authority_id)
    assert local_authority is not None
    return OfferPrint(offer, referral, home, provider, local_authority)

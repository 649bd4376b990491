"""IPAs follow their offer: revising an accepted offer supersedes the IPA drawn from it."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from core.ipas.service import supersede_ipas_of_offer
from core.models import Offer
from core.offers.service import on_offer_superseded


@on_offer_superseded
async def _supersede_the_ipa(session: AsyncSession, old: Offer, new: Offer) -> None:
    await supersede_ipas_of_offer(session, old.id)

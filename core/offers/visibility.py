"""Who sees which offer: the one rule for ``node(id:)``, the print view and its PDF alike.

- A local authority's staff (admins and caseworkers) see every offer on their LA's referrals.
- A provider's staff (admins and users) see their provider's own offers.
- Whoever sees an IPA drawn from an offer sees that offer too (``IndividualPlacementAgreement.
  offer`` shows it): so a signatory-only user sees the offer behind an IPA put before them,
  and nothing else (``core.ipas.visibility`` decides who sees an IPA).
- Nobody else: NOT_FOUND, never a hint that the offer exists.
"""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import exists, false, select
from sqlalchemy.ext.asyncio import AsyncSession

from core.access import LA_STAFF, PROVIDER_STAFF
from core.identity.viewer import Viewer
from core.ipas.visibility import visible_condition as ipa_visible
from core.models import Ipa, Offer, Referral


def reads_offers_as_la(viewer: Viewer | None) -> bool:
    return viewer is not None and viewer.is_local_authority and viewer.has(*LA_STAFF)


def reads_offers_as_provider(viewer: Viewer | None) -> bool:
    return viewer is not None and viewer.is_provider and viewer.has(*PROVIDER_STAFF)


def visible_condition(viewer: Viewer | None) -> Any:
    """The rule as a SQL condition on ``Offer`` joined with its ``Referral``."""
    if viewer is None:
        return false()
    if reads_offers_as_la(viewer):
        return Referral.local_authority_id == viewer.organisation_id
    if reads_offers_as_provider(viewer):
        return Offer.provider_id == viewer.organisation_id
    # Anyone else sees an offer only through an IPA drawn from it that they may see.
    return exists(select(Ipa.id).where(Ipa.offer_id == Offer.id, ipa_visible(viewer)))


async def visible_offer(
    session: AsyncSession, viewer: Viewer | None, key: uuid.UUID
) -> Offer | None:
    """One offer if the viewer may see it (else None: never a hint that it exists)."""
    return await session.scalar(
        select(Offer)
        .join(Referral, Referral.id == Offer.referral_id)
        .where(Offer.id == key, visible_condition(viewer))
    )

"""Who sees which IPA: decided here for the services, the queries, the print view and the
attachments' document rule alike.

- Staff of either side (LA admins and caseworkers of the referral's LA; provider admins and
  users of the offer's provider) see their organisation's IPAs, drafts included.
- A signatory of either side (and so a signatory-only user) sees the IPAs of their organisation
  that were put before the signatories: READY_FOR_SIGNING and SIGNED. Signing authority is
  delegated within one organisation, so a delegate sees the principals' IPAs this way too.
- Nobody else (another LA, another provider, the platform) sees any: NOT_FOUND.
"""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import and_, false

from core.access import CASE_STAFF, sees_case_details
from core.identity.roles import OrganisationKind
from core.identity.viewer import Viewer
from core.ipas.kinds import FROZEN_STATUSES, SIGNATORY_ROLE
from core.models import Ipa, Offer, Referral

__all__ = ["may_see_ipa", "party_of", "sees_case_details", "visible_condition"]


def party_of(viewer: Viewer | None) -> OrganisationKind | None:
    if viewer is None or viewer.organisation_kind not in SIGNATORY_ROLE:
        return None
    return viewer.organisation_kind


def may_see_ipa(
    viewer: Viewer | None, *, status: str, local_authority_id: uuid.UUID, provider_id: uuid.UUID
) -> bool:
    party = party_of(viewer)
    if viewer is None or party is None:
        return False
    own = local_authority_id if party is OrganisationKind.LOCAL_AUTHORITY else provider_id
    if own != viewer.organisation_id:
        return False
    if viewer.has(*CASE_STAFF[party]):
        return True
    return viewer.has(SIGNATORY_ROLE[party]) and status in FROZEN_STATUSES


def visible_condition(viewer: Viewer | None) -> Any:
    """The same rule as a SQL condition on ``Ipa`` joined with ``Referral`` and ``Offer``."""
    party = party_of(viewer)
    if viewer is None or party is None:
        return false()
    own = (
        Referral.local_authority_id
        if party is OrganisationKind.LOCAL_AUTHORITY
        else Offer.provider_id
    ) == viewer.organisation_id
    if viewer.has(*CASE_STAFF[party]):
        return own
    if viewer.has(SIGNATORY_ROLE[party]):
        return and_(own, Ipa.status.in_(FROZEN_STATUSES))
    return false()

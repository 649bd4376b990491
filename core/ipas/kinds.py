"""The states of an IPA and the sides that sign it."""

from __future__ import annotations

from enum import StrEnum

from core.identity.roles import OrganisationKind, Role


class IpaStatus(StrEnum):
    DRAFT = "DRAFT"
    READY_FOR_SIGNING = "READY_FOR_SIGNING"
    SIGNED = "SIGNED"
    SUPERSEDED = "SUPERSEDED"


#: An IPA that counts (at most one per referral: a partial unique index).
LIVE_STATUSES = (IpaStatus.DRAFT.value, IpaStatus.READY_FOR_SIGNING.value, IpaStatus.SIGNED.value)
#: Frozen: its terms, hash, documents and signatures never change (also enforced by triggers).
FROZEN_STATUSES = (IpaStatus.READY_FOR_SIGNING.value, IpaStatus.SIGNED.value)

#: The two parties: who signs for each side.
SIGNATORY_ROLE: dict[OrganisationKind, Role] = {
    OrganisationKind.LOCAL_AUTHORITY: Role.LA_SIGNATORY,
    OrganisationKind.PROVIDER: Role.PROVIDER_SIGNATORY,
}
PARTIES = (OrganisationKind.LOCAL_AUTHORITY, OrganisationKind.PROVIDER)

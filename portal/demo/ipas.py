"""``portal demo``: a signed IPA and one awaiting signature, drawn from accepted demo offers.

The lead wires :func:`load_ipa_demo` into ``core/demo.py`` once demo offers exist. Idempotent:
a referral that has a live IPA already keeps it.
"""

from __future__ import annotations

import uuid

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from core.identity.roles import OrganisationKind
from core.ipas.kinds import LIVE_STATUSES, SIGNATORY_ROLE, IpaStatus
from core.ipas.service import add_signature, build_ipa, freeze
from core.models import Ipa, Offer, Referral, User, UserRole
from core.plugins.registry import CategoryRegistry, build_registry

DEMO_FIELDS = {
    "placementStartDate": None,
    "socialWorker": {
        "name": "Sam Social Worker",
        "email": "sam.socialworker@example.org",
        "phone": "0121 000 0000",
    },
    "additionalTerms": "Weekly contact with the allocated social worker; review after 28 days.",
}


async def _signatory(
    session: AsyncSession, organisation_id: uuid.UUID, party: OrganisationKind
) -> uuid.UUID:
    user_id = await session.scalar(
        select(User.id)
        .join(UserRole, UserRole.user_id == User.id)
        .where(
            User.organisation_id == organisation_id,
            UserRole.role == SIGNATORY_ROLE[party].value,
        )
        .order_by(User.email)
        .limit(1)
    )
    if user_id is None:
        raise ValueError(f"the demo needs a {SIGNATORY_ROLE[party].value} in {organisation_id}")
    return user_id


async def demo_ipa(
    session: AsyncSession,
    offer_id: uuid.UUID,
    *,
    signed: bool,
    registry: CategoryRegistry | None = None,
) -> Ipa:
    """An IPA of the accepted offer ``offer_id``: SIGNED by both sides' signatories, or
    READY_FOR_SIGNING (awaiting both signatures)."""
    offer = await session.get(Offer, offer_id)
    if offer is None:
        raise ValueError(f"no offer {offer_id}")
    referral = await session.get(Referral, offer.referral_id)
    assert referral is not None
    existing = await session.scalar(
        select(Ipa).where(Ipa.referral_id == referral.id, Ipa.status.in_(LIVE_STATUSES))
    )
    if existing is not None:
        return existing
    ipa = await build_ipa(
        session,
        registry or build_registry(),
        offer=offer,
        referral=referral,
        created_by_id=offer.decided_by_id,
    )
    start = offer.start_date.isoformat() if offer.start_date else None
    fields = {k: v for k, v in {**DEMO_FIELDS, "placementStartDate": start}.items() if v}
    ipa.terms = {**ipa.terms, **fields}
    await session.flush()
    await freeze(session, ipa)
    await session.flush()
    if signed:
        for party, organisation_id in (
            (OrganisationKind.PROVIDER, offer.provider_id),
            (OrganisationKind.LOCAL_AUTHORITY, referral.local_authority_id),
        ):
            await add_signature(
                session,
                ipa,
                party=party,
                signed_by_id=await _signatory(session, organisation_id, party),
                on_behalf_of_id=None,
            )
        assert ipa.status == IpaStatus.SIGNED.value
    await session.flush()
    return ipa


async def load_ipa_demo(
    session: AsyncSession,
    *,
    signed_offer_id: uuid.UUID,
    awaiting_offer_id: uuid.UUID,
    registry: CategoryRegistry | None = None,
) -> tuple[Ipa, Ipa]:
    """The demo's two IPAs: one signed, one awaiting signature (accepted offers of two
    different referrals)."""
    signed = await demo_ipa(session, signed_offer_id, signed=True, registry=registry)
    awaiting = await demo_ipa(session, awaiting_offer_id, signed=False, registry=registry)
    return signed, awaiting

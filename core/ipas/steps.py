"""The steps of an IPA's life inside one unit of work: build it from an accepted offer,
freeze it for signing, add a signature, supersede the IPAs of a revised offer; and who signs
for a side (who hears about it). The services (core/ipas/service.py) and the demo compose
them."""

from __future__ import annotations

import uuid

from sqlalchemy import select, union, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from core.errors import Conflict, InvalidState
from core.identity.roles import OrganisationKind
from core.ipas.kinds import (
    LIVE_STATUSES,
    PARTIES,
    SIGNATORY_ROLE,
    IpaStatus,
)
from core.ipas.terms import HashRule, content_hash, offer_terms
from core.models import (
    Document,
    Home,
    Ipa,
    IpaDocument,
    IpaSignature,
    Offer,
    Organisation,
    Referral,
    SigningDelegation,
    User,
    UserRole,
)
from core.models.base import utcnow
from core.plugins.registry import CategoryRegistry

PARTY_NAMES = {
    OrganisationKind.LOCAL_AUTHORITY: "The local authority",
    OrganisationKind.PROVIDER: "The provider",
}


# ---------------------------------------------------------------- building blocks (one session)


async def build_ipa(
    session: AsyncSession,
    registry: CategoryRegistry,
    *,
    offer: Offer,
    referral: Referral,
    created_by_id: uuid.UUID | None,
) -> Ipa:
    """A DRAFT IPA of ``offer`` (ACCEPTED) inside the caller's unit of work; CONFLICT when the
    referral already has a live IPA. Drawn from an accepted revision, it supersedes the IPA of
    the offer revised (contract section 9): until now that one stayed as it was, SIGNED too."""
    if offer.status != "ACCEPTED":
        raise InvalidState(
            f"An IPA is drawn from an accepted offer; this offer is {offer.status}.",
            field=("input", "id"),
        )
    if offer.supersedes_id is not None:
        await supersede_ipas_of_offer(session, offer.supersedes_id)
    existing = await session.scalar(
        select(Ipa.status).where(Ipa.referral_id == referral.id, Ipa.status.in_(LIVE_STATUSES))
    )
    if existing is not None:
        raise Conflict(
            f"Referral {referral.reference} already has an IPA ({existing}); there is one "
            "live IPA per referral.",
            field=("input", "id"),
        )
    home = await session.get(Home, offer.home_id)
    provider = await session.get(Organisation, offer.provider_id)
    local_authority = await session.get(Organisation, referral.local_authority_id)
    assert home is not None and provider is not None and local_authority is not None
    ipa = Ipa(
        id=uuid.uuid4(),
        referral_id=referral.id,
        offer_id=offer.id,
        status=IpaStatus.DRAFT.value,
        terms=offer_terms(
            registry,
            offer=offer,
            referral=referral,
            home=home,
            provider=provider,
            local_authority=local_authority,
        ),
        created_by_id=created_by_id,
        created_at=utcnow(),
    )
    session.add(ipa)
    try:
        await session.flush()
    except IntegrityError:  # a concurrent generateIpa won the race for this referral
        raise Conflict(
            f"Referral {referral.reference} already has an IPA; there is one live IPA per "
            "referral.",
            field=("input", "id"),
        ) from None
    return ipa


async def attached_hashes(session: AsyncSession, ipa_id: uuid.UUID) -> list[str]:
    return list(
        await session.scalars(
            select(Document.sha256)
            .join(IpaDocument, IpaDocument.document_id == Document.id)
            .where(IpaDocument.ipa_id == ipa_id)
            .order_by(IpaDocument.position)
        )
    )


async def freeze(session: AsyncSession, ipa: Ipa) -> None:
    """DRAFT -> READY_FOR_SIGNING with its content hash."""
    ipa.content_hash = content_hash(ipa.terms, await attached_hashes(session, ipa.id))
    ipa.content_hash_rule = HashRule.RFC8785.value
    ipa.status = IpaStatus.READY_FOR_SIGNING.value
    ipa.enabled_at = utcnow()


async def add_signature(
    session: AsyncSession,
    ipa: Ipa,
    *,
    party: OrganisationKind,
    signed_by_id: uuid.UUID,
    on_behalf_of_id: uuid.UUID | None,
) -> bool:
    """Record one side's signature of the hash it signed; True when both sides have signed
    (the IPA is then SIGNED)."""
    assert ipa.content_hash is not None
    documents = await attached_hashes(session, ipa.id)
    if content_hash(ipa.terms, documents, ipa.content_hash_rule) != ipa.content_hash:
        raise InvalidState(  # never expected: the triggers keep a frozen IPA as it was
            "This IPA's content no longer matches the hash enabled for signing; it cannot be "
            "signed. Contact the platform team."
        )
    session.add(
        IpaSignature(
            id=uuid.uuid4(),
            ipa_id=ipa.id,
            party=party.value,
            signed_by_id=signed_by_id,
            on_behalf_of_id=on_behalf_of_id,
            content_hash=ipa.content_hash,
            signed_at=utcnow(),
        )
    )
    try:
        await session.flush()
    except IntegrityError:  # the other signatory of this side signed at the same moment
        raise Conflict(
            f"{PARTY_NAMES[party]} has already signed this IPA.", field=("input", "id")
        ) from None
    parties = set(
        await session.scalars(select(IpaSignature.party).where(IpaSignature.ipa_id == ipa.id))
    )
    if parties >= {p.value for p in PARTIES}:
        ipa.status = IpaStatus.SIGNED.value
        ipa.signed_at = utcnow()
        return True
    return False


async def supersede_ipas_of_offer(session: AsyncSession, offer_id: uuid.UUID) -> list[uuid.UUID]:
    """The live IPA drawn from ``offer_id`` becomes SUPERSEDED (when an IPA is drawn from the
    accepted revision of that offer); returns the ids superseded."""
    return list(
        await session.scalars(
            update(Ipa)
            .where(Ipa.offer_id == offer_id, Ipa.status.in_(LIVE_STATUSES))
            .values(status=IpaStatus.SUPERSEDED.value, superseded_at=utcnow())
            .returning(Ipa.id)
            .execution_options(synchronize_session=False)
        )
    )


# ---------------------------------------------------------------- who hears about it


async def signers_of(
    session: AsyncSession, organisation_id: uuid.UUID, party: OrganisationKind
) -> list[uuid.UUID]:
    """The side's signatories and the people they authorised to sign for them."""
    signatories = (
        select(User.id)
        .join(UserRole, UserRole.user_id == User.id)
        .where(
            User.organisation_id == organisation_id,
            UserRole.role == SIGNATORY_ROLE[party].value,
        )
    )
    delegates = select(SigningDelegation.delegate_id).where(
        SigningDelegation.signatory_id.in_(signatories),
        SigningDelegation.revoked_at.is_(None),
    )
    return list(await session.scalars(union(signatories, delegates)))

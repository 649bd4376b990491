"""The life of an IPA: generated from an accepted offer, drafted by the LA, frozen for signing,
signed by both sides, superseded by a revised offer.

What is frozen never changes: the services refuse it (INVALID_STATE) and database triggers
(migration 0008) refuse it again should a bug ever try.

The steps inside one unit of work (build, freeze, sign, supersede; who signs for a side) are in
:mod:`core.ipas.steps`, re-exported here for their callers.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from core.db import Database
from core.errors import Forbidden, InvalidInput, InvalidState, NotFound
from core.identity.roles import OrganisationKind
from core.identity.viewer import Viewer
from core.ipas.kinds import (
    SIGNATORY_ROLE,
    IpaStatus,
)
from core.ipas.steps import PARTY_NAMES as PARTY_NAMES  # their import path
from core.ipas.steps import add_signature as add_signature
from core.ipas.steps import attached_hashes as attached_hashes
from core.ipas.steps import build_ipa as build_ipa
from core.ipas.steps import freeze as freeze
from core.ipas.steps import signers_of as signers_of
from core.ipas.steps import supersede_ipas_of_offer as supersede_ipas_of_offer
from core.ipas.terms import merge_la_fields
from core.ipas.visibility import may_see_ipa, party_of
from core.models import (
    Document,
    Ipa,
    IpaDocument,
    IpaSignature,
    Offer,
    Referral,
    SigningDelegation,
    User,
    UserRole,
)
from core.notifications.kinds import NotificationKind
from core.notifications.service import Subject, notify
from core.plugins.registry import CategoryRegistry
from core.settings import Settings
from core.webhooks.events import WebhookEvent, emit

IPA_DOCUMENT_KINDS = frozenset({"IPA_ATTACHMENT"})
_FROZEN_MESSAGE = (
    "This IPA is {status}: nothing in it can change any more. A mistake means a revised offer "
    "and a new IPA."
)


# ---------------------------------------------------------------- the services


async def _lock_ipa(session: AsyncSession, ipa_id: uuid.UUID) -> tuple[Ipa, Referral, Offer]:
    row = (
        await session.execute(
            select(Ipa, Referral, Offer)
            .join(Referral, Referral.id == Ipa.referral_id)
            .join(Offer, Offer.id == Ipa.offer_id)
            .where(Ipa.id == ipa_id)
            .with_for_update(of=Ipa)
        )
    ).first()
    if row is None:
        raise NotFound("No IPA with this id was found.", field=("input", "id"))
    return row[0], row[1], row[2]


async def _la_draft(
    session: AsyncSession, viewer: Viewer, ipa_id: uuid.UUID
) -> tuple[Ipa, Referral, Offer]:
    """The viewer's LA's IPA, locked; INVALID_STATE unless it is a DRAFT."""
    ipa, referral, offer = await _lock_ipa(session, ipa_id)
    if referral.local_authority_id != viewer.organisation_id:
        raise NotFound("No IPA with this id was found.", field=("input", "id"))
    if ipa.status != IpaStatus.DRAFT.value:
        raise InvalidState(_FROZEN_MESSAGE.format(status=ipa.status), field=("input", "id"))
    return ipa, referral, offer


async def generate_ipa(
    db: Database, registry: CategoryRegistry, viewer: Viewer, *, offer_id: uuid.UUID
) -> Ipa:
    """A DRAFT IPA from the viewer's LA's ACCEPTED offer, its terms drawn from the offer and
    the referral."""
    async with db.transaction() as session:
        offer = await session.scalar(select(Offer).where(Offer.id == offer_id))
        referral = (
            await session.scalar(
                select(Referral).where(Referral.id == offer.referral_id).with_for_update()
            )
            if offer is not None
            else None
        )
        if referral is None or referral.local_authority_id != viewer.organisation_id:
            raise NotFound("No offer with this id was found.", field=("input", "id"))
        assert offer is not None
        return await build_ipa(
            session, registry, offer=offer, referral=referral, created_by_id=viewer.user_id
        )


async def _check_documents(
    session: AsyncSession, viewer: Viewer, document_ids: Sequence[uuid.UUID]
) -> list[uuid.UUID]:
    ids = list(dict.fromkeys(document_ids))
    found = {d.id: d for d in await session.scalars(select(Document).where(Document.id.in_(ids)))}
    for index, document_id in enumerate(ids):
        document = found.get(document_id)
        path = ("input", "documentIds", str(index))
        if document is None or document.organisation_id != viewer.organisation_id:
            raise NotFound(
                "No document with this id was found among your organisation's.", field=path
            )
        if document.kind not in IPA_DOCUMENT_KINDS:
            raise InvalidInput(
                f"Attach documents of kind IPA_ATTACHMENT to an IPA; this one is {document.kind}.",
                field=path,
            )
    return ids


async def update_ipa_draft(
    db: Database,
    viewer: Viewer,
    *,
    ipa_id: uuid.UUID,
    fields: Any | None = None,
    document_ids: Sequence[uuid.UUID] | None = None,
) -> Ipa:
    """Merge the LA's own ``fields`` into a DRAFT's terms and/or replace its attachments
    (``document_ids``, in order). Offer-derived terms are refused by name."""
    async with db.transaction() as session:
        ipa, _, _ = await _la_draft(session, viewer, ipa_id)
        if fields is not None:
            merged = merge_la_fields(ipa.terms, fields)
            if merged != ipa.terms:
                ipa.terms = merged
        if document_ids is not None:
            ids = await _check_documents(session, viewer, document_ids)
            current = list(
                await session.scalars(
                    select(IpaDocument.document_id)
                    .where(IpaDocument.ipa_id == ipa.id)
                    .order_by(IpaDocument.position)
                )
            )
            if ids != current:
                await session.execute(delete(IpaDocument).where(IpaDocument.ipa_id == ipa.id))
                session.add_all(
                    IpaDocument(ipa_id=ipa.id, document_id=d, position=i) for i, d in enumerate(ids)
                )
    return ipa


async def enable_ipa_for_signing(
    db: Database, settings: Settings, viewer: Viewer, *, ipa_id: uuid.UUID
) -> Ipa:
    """Freeze a DRAFT (READY_FOR_SIGNING, its content hash fixed) and tell both sides'
    signatories and their delegates."""
    async with db.transaction() as session:
        ipa, referral, offer = await _la_draft(session, viewer, ipa_id)
        await freeze(session, ipa)
        recipients = [
            *await signers_of(
                session, referral.local_authority_id, OrganisationKind.LOCAL_AUTHORITY
            ),
            *await signers_of(session, offer.provider_id, OrganisationKind.PROVIDER),
        ]
        reference = ipa.terms.get("referralReference", referral.reference)
        await notify(
            session,
            settings,
            recipients=recipients,
            kind=NotificationKind.IPA_READY_TO_SIGN,
            message=f"The IPA for referral {reference} "
            f"({ipa.terms.get('home', {}).get('name', 'the home')}) is ready to sign.",
            subject=Subject("IndividualPlacementAgreement", ipa.id),
            email_subject=f"IPA for {reference} ready to sign",
        )
        await emit(
            session,
            organisation_id=referral.local_authority_id,
            event=WebhookEvent.IPA_READY_TO_SIGN,
            subject_type="IndividualPlacementAgreement",
            subject_keys=[ipa.id],
            referral_key=referral.id,
        )
    return ipa


async def _authority(
    session: AsyncSession,
    viewer: Viewer,
    party: OrganisationKind,
    on_behalf_of_id: uuid.UUID | None,
) -> uuid.UUID | None:
    """Whose authority the viewer signs under: their own (None) or a principal's."""
    role = SIGNATORY_ROLE[party]
    if on_behalf_of_id is None or on_behalf_of_id == viewer.user_id:
        if not viewer.has(role):
            raise Forbidden(
                f"Only a {role.value} of your organisation, or someone a signatory authorised "
                "to sign on their behalf (give onBehalfOfUserId), can sign this IPA."
            )
        return None
    delegated = await session.scalar(
        select(SigningDelegation.id)
        .join(User, User.id == SigningDelegation.signatory_id)
        .join(UserRole, UserRole.user_id == User.id)
        .where(
            SigningDelegation.signatory_id == on_behalf_of_id,
            SigningDelegation.delegate_id == viewer.user_id,
            SigningDelegation.revoked_at.is_(None),
            User.organisation_id == viewer.organisation_id,
            User.is_active.is_(True),
            UserRole.role == role.value,
        )
        .limit(1)
    )
    if delegated is None:
        raise Forbidden(
            f"You hold no current authority from this user to sign on their behalf (they must "
            f"be a {role.value} of your organisation and have granted it to you).",
            field=("input", "onBehalfOfUserId"),
        )
    return on_behalf_of_id


async def sign_ipa(
    db: Database,
    settings: Settings,
    viewer: Viewer,
    *,
    ipa_id: uuid.UUID,
    on_behalf_of_id: uuid.UUID | None = None,
) -> Ipa:
    """The viewer's side signs (as a signatory, or for one under delegated authority); the
    second side's signature makes the IPA SIGNED."""
    assert viewer.user_id is not None
    async with db.transaction() as session:
        ipa, referral, offer = await _lock_ipa(session, ipa_id)
        party = party_of(viewer)
        if party is None or not may_see_ipa(
            viewer,
            status=ipa.status,
            local_authority_id=referral.local_authority_id,
            provider_id=offer.provider_id,
        ):
            raise NotFound("No IPA with this id was found.", field=("input", "id"))
        if ipa.status != IpaStatus.READY_FOR_SIGNING.value:
            raise InvalidState(
                f"Only an IPA enabled for signing can be signed; this one is {ipa.status}.",
                field=("input", "id"),
            )
        on_behalf = await _authority(session, viewer, party, on_behalf_of_id)
        signed = await session.scalar(
            select(IpaSignature.id).where(
                IpaSignature.ipa_id == ipa.id, IpaSignature.party == party.value
            )
        )
        if signed is not None:
            raise InvalidState(
                f"{PARTY_NAMES[party]} has already signed this IPA: one signature per side.",
                field=("input", "id"),
            )
        complete = await add_signature(
            session, ipa, party=party, signed_by_id=viewer.user_id, on_behalf_of_id=on_behalf
        )
        if complete:
            recipients = {
                *await signers_of(
                    session, referral.local_authority_id, OrganisationKind.LOCAL_AUTHORITY
                ),
                *await signers_of(session, offer.provider_id, OrganisationKind.PROVIDER),
                *(
                    u
                    for u in (ipa.created_by_id, offer.submitted_by_id, offer.decided_by_id)
                    if u is not None
                ),
            }
            reference = ipa.terms.get("referralReference", referral.reference)
            await notify(
                session,
                settings,
                recipients=sorted(recipients),
                kind=NotificationKind.IPA_SIGNED,
                message=f"The IPA for referral {reference} is signed by both sides.",
                subject=Subject("IndividualPlacementAgreement", ipa.id),
                email_subject=f"IPA for {reference} signed",
            )
            await emit(
                session,
                organisation_id=referral.local_authority_id,
                event=WebhookEvent.IPA_SIGNED,
                subject_type="IndividualPlacementAgreement",
                subject_keys=[ipa.id],
                referral_key=referral.id,
            )
    return ipa

"""The life of an offer: submit, update, withdraw, accept, decline, revise an accepted one.

One live offer (SUBMITTED or ACCEPTED) per provider per referral is the database's rule (the
partial unique index ``uq_offers_live_per_provider``): two people of one provider submitting
at the same moment get one offer and one CONFLICT, whatever the timing.
"""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy import Select, delete, func, insert, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from core.access import LA_STAFF_VALUES, PROVIDER_STAFF_VALUES
from core.db import Database
from core.documents.queries import profile_documents_by_organisation_ids
from core.errors import Conflict, InvalidInput, InvalidState, NotFound, Problem, invalid
from core.identity.viewer import Viewer
from core.keep import KEEP
from core.models import (
    CategorySettings,
    Document,
    FosteringFamily,
    Home,
    Offer,
    OfferDocument,
    Organisation,
    Referral,
    ReferralDelivery,
    ReferralVersion,
    User,
    UserRole,
)
from core.models.base import utcnow
from core.models.offers import LIVE_OFFER_STATUSES
from core.notifications.kinds import NotificationKind
from core.notifications.service import Subject, notify
from core.offers.content import (
    CostInput,
    Terms,
    check_core_fee,
    check_costs,
    check_details,
    raise_problems,
)
from core.offers.kinds import ANOTHER_OFFER_ACCEPTED, OfferStatus
from core.offers.money import amount_of
from core.plugins.registry import CategoryRegistry
from core.referrals.kinds import DeliveryStatus, ReferralStatus
from core.referrals.matching import match_providers, match_request
from core.settings import Settings

LIVE_INDEX = "uq_offers_live_per_provider"
#: How a document id is written where a client writes it (the GraphQL layer passes its
#: global-id encoder); used for the document references inside ``details``.
DocumentRef = Callable[[uuid.UUID], str]


class MissingDocument(InvalidInput):
    code = "MISSING_DOCUMENT"


# ---------------------------------------------------------------- hooks for other domains

SupersededCallback = Callable[[AsyncSession, Offer, Offer], Awaitable[None]]
_ON_SUPERSEDED: list[SupersededCallback] = []


def on_offer_superseded(callback: SupersededCallback) -> SupersededCallback:
    """Register ``callback(session, old, new)``: called inside the unit of work in which an
    ACCEPTED offer (``old``, now SUPERSEDED) is replaced by a new SUBMITTED offer (``new``),
    e.g. to supersede the IPA made from the old one. Raising a DomainError refuses the
    revision (nothing is saved)."""
    if callback not in _ON_SUPERSEDED:
        _ON_SUPERSEDED.append(callback)
    return callback


async def offer_superseded(session: AsyncSession, old: Offer, new: Offer) -> None:
    for callback in list(_ON_SUPERSEDED):
        await callback(session, old, new)


# ---------------------------------------------------------------- recipients


def la_staff(local_authority_id: uuid.UUID) -> Select[uuid.UUID]:
    return (
        select(User.id)
        .join(UserRole, UserRole.user_id == User.id)
        .where(User.organisation_id == local_authority_id, UserRole.role.in_(LA_STAFF_VALUES))
    )


def provider_staff(provider_ids: Sequence[uuid.UUID]) -> Select[uuid.UUID]:
    return (
        select(User.id)
        .join(UserRole, UserRole.user_id == User.id)
        .where(
            User.organisation_id.in_(list(provider_ids)),
            UserRole.role.in_(PROVIDER_STAFF_VALUES),
        )
    )


# ---------------------------------------------------------------- reading inside a unit of work


@dataclass(frozen=True)
class _Received:
    referral: Referral
    delivery: ReferralDelivery


async def _received_referral(
    session: AsyncSession, viewer: Viewer, referral_id: uuid.UUID, field: tuple[str, ...]
) -> _Received:
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
    return _Received(row[0], row[1])


async def _own_offer(
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


async def _la_offer(
    session: AsyncSession, viewer: Viewer, offer_id: uuid.UUID
) -> tuple[Offer, Referral]:
    row = (
        await session.execute(
            select(Offer, Referral)
            .join(Referral, Referral.id == Offer.referral_id)
            .where(Offer.id == offer_id)
            .with_for_update()
        )
    ).first()
    if row is None or row[1].local_authority_id != viewer.organisation_id:
        raise NotFound("No offer with this id was found.", field=("input", "id"))
    return row[0], row[1]


def _open_for(referral: Referral, offer_supersedes: uuid.UUID | None) -> bool:
    """A SENT referral takes offers; a PLACED one only the revision of its accepted offer."""
    if referral.status == ReferralStatus.SENT.value:
        return True
    return referral.status == ReferralStatus.PLACED.value and offer_supersedes is not None


async def _reopen_if_unplaced(session: AsyncSession, referral: Referral, ended: Offer) -> None:
    """A revision of the accepted offer that ends unaccepted (declined, withdrawn) leaves no
    agreed placement: the accepted offer it revised is SUPERSEDED. The referral is open for
    offers again rather than PLACED with no accepted offer."""
    if ended.supersedes_id is None or referral.status != ReferralStatus.PLACED.value:
        return
    accepted = await session.scalar(
        select(Offer.id).where(
            Offer.referral_id == referral.id, Offer.status == OfferStatus.ACCEPTED.value
        )
    )
    if accepted is None:
        referral.status = ReferralStatus.SENT.value
        referral.updated_at = utcnow()


async def _check_home(
    session: AsyncSession,
    registry: CategoryRegistry,
    viewer: Viewer,
    received: _Received,
    home_id: uuid.UUID,
) -> Home:
    """One of the provider's own live homes that matches the version it received.

    The core criteria and the category's rules are run again now, over the provider's homes
    (not read from the delivery's matched homes): a home retired since, or a registration no
    longer approved, cannot be offered, and a home registered since (a new spreadsheet
    replaces the home rows) can.
    """
    field = ("input", "homeId")
    home = await session.get(Home, home_id)
    if home is None or home.provider_id != viewer.organisation_id:
        raise NotFound("No home with this id was found among your organisation's.", field=field)
    if home.retired_at is not None:
        raise InvalidInput(
            f"{home.name} was replaced by a newer registration; offer one of your current homes.",
            field=field,
        )
    referral, delivery = received.referral, received.delivery
    snapshot = await session.get(ReferralVersion, (referral.id, delivery.version))
    content: dict[str, Any] = (
        snapshot.content if snapshot is not None else {"children": referral.children}
    )
    la_name = await session.scalar(
        select(Organisation.name).where(Organisation.id == referral.local_authority_id)
    )
    stored = await session.scalar(
        select(CategorySettings.settings).where(CategorySettings.category == referral.category)
    )
    request = match_request(
        referral_id=referral.id,
        local_authority_id=referral.local_authority_id,
        local_authority_name=la_name or "",
        category=referral.category,
        children=content["children"],
        details=content.get("details") or {},
        postcode=content.get("postcode"),
    )
    matches = await match_providers(
        session,
        registry,
        request,
        registry.effective_settings(referral.category, stored),
        content["children"],
        provider_id=viewer.organisation_id,
    )
    if home.id not in matches.get(viewer.organisation_id, []):
        raise InvalidInput(
            f"{home.name} does not match this referral (its category, ages, genders accepted "
            "or beds, or the category's rules): offer one of your homes that does.",
            field=field,
        )
    return home


async def _provider_documents(session: AsyncSession, provider_id: uuid.UUID) -> list[Document]:
    """The provider's profile documents, newest first."""
    return (await profile_documents_by_organisation_ids(session, [provider_id]))[0]


def _compulsory(documents: Sequence[Document], kinds: Sequence[str], today: date) -> list[Document]:
    """The newest unexpired document of each kind, as it is now; MISSING_DOCUMENT otherwise."""
    chosen: list[Document] = []
    problems: list[Problem] = []
    for kind in kinds:
        of_kind = [d for d in documents if d.kind == kind]
        current = [d for d in of_kind if d.expires_on is None or d.expires_on > today]
        if current:
            chosen.append(current[0])
            continue
        label = kind.replace("_", " ").lower()
        if of_kind:
            expired = max(d.expires_on for d in of_kind if d.expires_on is not None)
            message = (
                f"Your {kind} document ({label}) expired on {expired.isoformat()}: upload the "
                "current one to your profile, then make the offer."
            )
        else:
            message = (
                f"Your profile has no {kind} document ({label}), which every offer of this "
                "category includes: upload it to your profile, then make the offer."
            )
        problems.append(Problem(message, MissingDocument.code, None))
    if problems:
        raise MissingDocument(problems[0].message, problems=problems)
    return chosen


def _optional(
    documents: Sequence[Document], ids: Sequence[uuid.UUID], compulsory: Sequence[Document]
) -> tuple[uuid.UUID, ...]:
    own = {d.id for d in documents}
    already = {d.id for d in compulsory}
    chosen: list[uuid.UUID] = []
    for index, document_id in enumerate(ids):
        if document_id not in own:
            raise NotFound(
                "No document with this id was found among your organisation's profile documents.",
                field=("input", "documentIds", str(index)),
            )
        if document_id not in already and document_id not in chosen:
            chosen.append(document_id)
    return tuple(chosen)


async def _set_documents(
    session: AsyncSession,
    offer_id: uuid.UUID,
    compulsory: Sequence[uuid.UUID] | None,
    optional: Sequence[uuid.UUID],
) -> None:
    """Attach ``optional`` (replacing the optional ones) and, when given, ``compulsory``."""
    condition = [OfferDocument.offer_id == offer_id]
    if compulsory is None:
        condition.append(OfferDocument.compulsory.is_(False))
    await session.execute(delete(OfferDocument).where(*condition))
    rows = [
        {"offer_id": offer_id, "document_id": d, "compulsory": True, "position": i}
        for i, d in enumerate(compulsory or ())
    ] + [
        {"offer_id": offer_id, "document_id": d, "compulsory": False, "position": i}
        for i, d in enumerate(optional)
    ]
    if rows:
        await session.execute(insert(OfferDocument), rows)


async def _optional_ids(session: AsyncSession, offer_id: uuid.UUID) -> tuple[uuid.UUID, ...]:
    return tuple(
        await session.scalars(
            select(OfferDocument.document_id)
            .where(OfferDocument.offer_id == offer_id, OfferDocument.compulsory.is_(False))
            .order_by(OfferDocument.position)
        )
    )


async def _save_family(
    session: AsyncSession,
    registry: CategoryRegistry,
    viewer: Viewer,
    category: str,
    details: Mapping[str, Any],
    family_id: uuid.UUID | None,
    field: tuple[str, ...] = ("input", "fosteringFamilyId"),
) -> uuid.UUID | None:
    """Save the household of ``details`` for auto-fill (categories that declare one).

    It updates the family named by ``family_id`` (the provider's own), else the provider's
    family of the same label, else makes a new one; it becomes the most recently used.
    """
    key = registry.get(category).declaration.offer_family_key
    if key is None:
        if family_id is not None:
            raise InvalidInput(
                f"{registry.get(category).label} offers carry no family; leave "
                "fosteringFamilyId empty.",
                field=field,
            )
        return None
    family_details = details.get(key)
    if not isinstance(family_details, Mapping):
        return family_id
    label = str(family_details.get("label") or "").strip()[:200] or "Family"
    family: FosteringFamily | None = None
    if family_id is not None:
        family = await session.get(FosteringFamily, family_id)
        if family is None or family.provider_id != viewer.organisation_id:
            raise NotFound(
                "No saved family with this id was found among your organisation's.", field=field
            )
    else:
        family = await session.scalar(
            select(FosteringFamily)
            .where(
                FosteringFamily.provider_id == viewer.organisation_id,
                func.lower(FosteringFamily.label) == label.lower(),
            )
            .limit(1)
        )
    now = utcnow()
    if family is None:
        family = FosteringFamily(
            id=uuid.uuid4(), provider_id=viewer.organisation_id, created_at=now
        )
        session.add(family)
    family.label = label
    family.details = dict(family_details)
    family.last_used_at = now
    await session.flush()
    return family.id


def _plugin_checks(
    registry: CategoryRegistry,
    category: str,
    details: Mapping[str, Any],
    documents: Sequence[Document],
    document_ref: DocumentRef,
) -> None:
    problems = registry.check_offer_details(
        category, details, {document_ref(d.id): d.kind for d in documents}
    )
    if problems:
        raise invalid(problems)


def _money(pence: int) -> str:
    return f"£{amount_of(pence):,}"


async def _notify_la(
    session: AsyncSession,
    settings: Settings,
    referral: Referral,
    offer: Offer,
    kind: NotificationKind,
    what: str,
) -> None:
    provider = await session.scalar(
        select(Organisation.name).where(Organisation.id == offer.provider_id)
    )
    await notify(
        session,
        settings,
        recipients=la_staff(referral.local_authority_id),
        kind=kind,
        message=f"{provider} {what} on referral {referral.reference}.",
        subject=Subject("Offer", offer.id),
        email_subject=f"Referral {referral.reference}: {provider} {what}",
    )


# ---------------------------------------------------------------- submitting


async def _insert(session: AsyncSession, offer: Offer) -> None:
    """Insert ``offer``; the live-offer index turns a second live offer into CONFLICT."""
    session.add(offer)
    try:
        await session.flush()
    except IntegrityError as error:
        text = str(error.orig)
        if LIVE_INDEX in text or "offers.referral_id, offers.provider_id" in text:
            raise Conflict(
                "Your organisation already has a live offer on this referral (someone else "
                "has just made it): edit that offer instead.",
                field=("input", "referralId"),
            ) from None
        raise


async def submit_offer(
    db: Database,
    registry: CategoryRegistry,
    settings: Settings,
    viewer: Viewer,
    *,
    referral_id: uuid.UUID,
    home_id: uuid.UUID,
    core_fee: Decimal,
    additional_costs: Sequence[CostInput] = (),
    start_date: date | None = None,
    details: Any = None,
    document_ids: Sequence[uuid.UUID] = (),
    fostering_family_id: uuid.UUID | None = None,
    document_ref: DocumentRef = str,
) -> Offer:
    """A provider offers one of its matching homes for a referral it received."""
    problems: list[Problem] = []
    fee = check_core_fee(core_fee, problems)
    costs = check_costs(additional_costs, problems)
    async with db.transaction() as session:
        received = await _received_referral(session, viewer, referral_id, ("input", "referralId"))
        referral = received.referral
        cleaned = check_details(registry, referral.category, details, problems)
        raise_problems(problems)
        if received.delivery.status == DeliveryStatus.DECLINED.value:
            raise InvalidState(
                "Your organisation declined this referral; it can offer again if the local "
                "authority changes and resends it."
            )
        if referral.status != ReferralStatus.SENT.value:
            raise InvalidState(f"A {referral.status} referral takes no offers.")
        live = await session.scalar(
            select(Offer.status).where(
                Offer.referral_id == referral.id,
                Offer.provider_id == viewer.organisation_id,
                Offer.status.in_(LIVE_OFFER_STATUSES),
            )
        )
        if live is not None:
            raise Conflict(
                f"Your organisation already has a {live} offer on this referral: one offer per "
                "provider per referral. Edit it (updateOffer) instead.",
                field=("input", "referralId"),
            )
        await _check_home(session, registry, viewer, received, home_id)
        documents = await _provider_documents(session, viewer.organisation_id)
        _plugin_checks(registry, referral.category, cleaned, documents, document_ref)
        compulsory = _compulsory(
            documents,
            registry.get(referral.category).declaration.required_offer_documents,
            date.today(),
        )
        optional = _optional(documents, document_ids, compulsory)
        family_id = await _save_family(
            session, registry, viewer, referral.category, cleaned, fostering_family_id
        )
        now = utcnow()
        offer = Offer(
            id=uuid.uuid4(),
            referral_id=referral.id,
            provider_id=viewer.organisation_id,
            home_id=home_id,
            status=OfferStatus.SUBMITTED.value,
            version=1,
            core_fee_pence=fee,
            additional_costs=list(costs),
            start_date=start_date,
            details=cleaned,
            fostering_family_id=family_id,
            submitted_by_id=viewer.user_id,
            submitted_at=now,
            updated_at=now,
        )
        await _insert(session, offer)
        await _set_documents(session, offer.id, [d.id for d in compulsory], optional)
        await session.execute(
            update(ReferralDelivery)
            .where(ReferralDelivery.id == received.delivery.id)
            .values(status=DeliveryStatus.OFFERED.value)
        )
        await _notify_la(
            session,
            settings,
            referral,
            offer,
            NotificationKind.OFFER_RECEIVED,
            f"made an offer ({_money(fee)} a week)",
        )
    return offer


# ---------------------------------------------------------------- changing


@dataclass(frozen=True)
class Changes:
    """What an update or a revision changes; KEEP for what it leaves as it is."""

    home_id: uuid.UUID | Any = KEEP
    core_fee: Decimal | Any = KEEP
    additional_costs: Sequence[CostInput] | Any = KEEP
    start_date: date | Any | None = KEEP
    details: Any = KEEP
    document_ids: Sequence[uuid.UUID] | Any = KEEP


async def _changed_terms(
    session: AsyncSession,
    registry: CategoryRegistry,
    viewer: Viewer,
    offer: Offer,
    referral: Referral,
    changes: Changes,
    documents: Sequence[Document],
    compulsory: Sequence[Document],
    document_ref: DocumentRef,
) -> Terms:
    """The offer's terms with ``changes`` applied and checked (all input problems at once)."""
    problems: list[Problem] = []
    fee = (
        offer.core_fee_pence
        if changes.core_fee is KEEP or changes.core_fee is None
        else check_core_fee(changes.core_fee, problems)
    )
    costs = (
        tuple(offer.additional_costs or ())
        if changes.additional_costs is KEEP
        else check_costs(changes.additional_costs or (), problems)
    )
    details = (
        dict(offer.details or {})
        if changes.details is KEEP
        else check_details(registry, referral.category, changes.details, problems)
    )
    raise_problems(problems)
    home_id = offer.home_id if changes.home_id in (KEEP, None) else changes.home_id
    if home_id != offer.home_id:
        delivery = await session.scalar(
            select(ReferralDelivery).where(
                ReferralDelivery.referral_id == referral.id,
                ReferralDelivery.provider_id == viewer.organisation_id,
            )
        )
        if delivery is None:  # pragma: no cover - an offer is made on a delivery
            raise NotFound("No referral with this id was found.", field=("input", "id"))
        await _check_home(session, registry, viewer, _Received(referral, delivery), home_id)
    if changes.details is not KEEP:
        _plugin_checks(registry, referral.category, details, documents, document_ref)
    optional = (
        await _optional_ids(session, offer.id)
        if changes.document_ids is KEEP
        else _optional(documents, changes.document_ids or (), compulsory)
    )
    return Terms(
        home_id=home_id,
        core_fee_pence=fee,
        additional_costs=costs,
        start_date=offer.start_date if changes.start_date is KEEP else changes.start_date,
        details=details,
        document_ids=optional,
    )


def _terms_of(offer: Offer, optional: Sequence[uuid.UUID]) -> Terms:
    return Terms(
        home_id=offer.home_id,
        core_fee_pence=offer.core_fee_pence,
        additional_costs=tuple(offer.additional_costs or ()),
        start_date=offer.start_date,
        details=dict(offer.details or {}),
        document_ids=tuple(optional),
    )


async def update_offer(
    db: Database,
    registry: CategoryRegistry,
    settings: Settings,
    viewer: Viewer,
    *,
    offer_id: uuid.UUID,
    changes: Changes,
    document_ref: DocumentRef = str,
) -> Offer:
    """Change a SUBMITTED offer; its version goes up when (and only when) something changed.

    The compulsory documents stay as they were at submission.
    """
    async with db.transaction() as session:
        offer, referral = await _own_offer(session, viewer, offer_id)
        if offer.status == OfferStatus.ACCEPTED.value:
            raise InvalidState(
                "An accepted offer never changes: revise it with reviseAcceptedOffer, which "
                "makes a new offer for the local authority to accept."
            )
        if offer.status != OfferStatus.SUBMITTED.value:
            raise InvalidState(f"A {offer.status} offer cannot be changed.")
        if not _open_for(referral, offer.supersedes_id):
            raise InvalidState(f"Offers on a {referral.status} referral cannot be changed.")
        documents = await _provider_documents(session, viewer.organisation_id)
        compulsory_ids = set(
            await session.scalars(
                select(OfferDocument.document_id).where(
                    OfferDocument.offer_id == offer.id, OfferDocument.compulsory.is_(True)
                )
            )
        )
        compulsory = [d for d in documents if d.id in compulsory_ids]
        before = _terms_of(offer, await _optional_ids(session, offer.id))
        after = await _changed_terms(
            session,
            registry,
            viewer,
            offer,
            referral,
            changes,
            documents,
            compulsory,
            document_ref,
        )
        if changes.details is not KEEP:
            offer.fostering_family_id = await _save_family(
                session,
                registry,
                viewer,
                referral.category,
                after.details,
                offer.fostering_family_id,
                field=("input", "details"),
            )
        if after == before:
            return offer
        offer.home_id = after.home_id
        offer.core_fee_pence = after.core_fee_pence
        offer.additional_costs = list(after.additional_costs)
        offer.start_date = after.start_date
        offer.details = dict(after.details)
        offer.version += 1
        offer.updated_at = utcnow()
        if after.document_ids != before.document_ids:
            await _set_documents(session, offer.id, None, after.document_ids)
        await _notify_la(
            session,
            settings,
            referral,
            offer,
            NotificationKind.OFFER_UPDATED,
            f"changed its offer (version {offer.version})",
        )
    return offer


async def revise_accepted_offer(
    db: Database,
    registry: CategoryRegistry,
    settings: Settings,
    viewer: Viewer,
    *,
    offer_id: uuid.UUID,
    changes: Changes,
    document_ref: DocumentRef = str,
) -> Offer:
    """A new SUBMITTED offer that supersedes the ACCEPTED one (which becomes SUPERSEDED).

    What is not changed is copied; the compulsory documents are attached as they are now.
    The local authority accepts the new offer to agree to it.
    """
    async with db.transaction() as session:
        old, referral = await _own_offer(session, viewer, offer_id)
        if old.status != OfferStatus.ACCEPTED.value:
            raise InvalidState(
                f"Only an accepted offer is revised; this one is {old.status}"
                + (": change it with updateOffer." if old.status == "SUBMITTED" else ".")
            )
        documents = await _provider_documents(session, viewer.organisation_id)
        compulsory = _compulsory(
            documents,
            registry.get(referral.category).declaration.required_offer_documents,
            date.today(),
        )
        terms = await _changed_terms(
            session, registry, viewer, old, referral, changes, documents, compulsory, document_ref
        )
        family_id = old.fostering_family_id
        if changes.details is not KEEP:
            family_id = await _save_family(
                session,
                registry,
                viewer,
                referral.category,
                terms.details,
                old.fostering_family_id,
                field=("input", "details"),
            )
        now = utcnow()
        old.status = OfferStatus.SUPERSEDED.value
        old.updated_at = now
        await session.flush()  # the old offer stops being live before the new one starts
        new = Offer(
            id=uuid.uuid4(),
            referral_id=referral.id,
            provider_id=old.provider_id,
            home_id=terms.home_id,
            status=OfferStatus.SUBMITTED.value,
            version=1,
            core_fee_pence=terms.core_fee_pence,
            additional_costs=list(terms.additional_costs),
            start_date=terms.start_date,
            details=dict(terms.details),
            fostering_family_id=family_id,
            supersedes_id=old.id,
            submitted_by_id=viewer.user_id,
            submitted_at=now,
            updated_at=now,
        )
        await _insert(session, new)
        await _set_documents(session, new.id, [d.id for d in compulsory], terms.document_ids)
        await offer_superseded(session, old, new)
        await _notify_la(
            session,
            settings,
            referral,
            new,
            NotificationKind.OFFER_RECEIVED,
            f"revised its accepted offer ({_money(new.core_fee_pence)} a week): accept the "
            "revision to agree to it",
        )
    return new


async def withdraw_offer(
    db: Database, settings: Settings, viewer: Viewer, *, offer_id: uuid.UUID
) -> Offer:
    async with db.transaction() as session:
        offer, referral = await _own_offer(session, viewer, offer_id)
        if offer.status != OfferStatus.SUBMITTED.value:
            raise InvalidState(f"A {offer.status} offer cannot be withdrawn.")
        offer.status = OfferStatus.WITHDRAWN.value
        offer.version += 1
        offer.updated_at = utcnow()
        await _reopen_if_unplaced(session, referral, offer)
        if referral.status == ReferralStatus.SENT.value:
            # Back to received: the provider may offer again, or decline the referral.
            await session.execute(
                update(ReferralDelivery)
                .where(
                    ReferralDelivery.referral_id == referral.id,
                    ReferralDelivery.provider_id == viewer.organisation_id,
                )
                .values(status=DeliveryStatus.NEW.value)
            )
        await _notify_la(
            session,
            settings,
            referral,
            offer,
            NotificationKind.OFFER_WITHDRAWN,
            "withdrew its offer",
        )
    return offer


# ---------------------------------------------------------------- the LA's decision


async def accept_offer(
    db: Database, settings: Settings, viewer: Viewer, *, offer_id: uuid.UUID
) -> Offer:
    """The LA accepts: the referral is PLACED and every other submitted offer is declined."""
    async with db.transaction() as session:
        offer, referral = await _la_offer(session, viewer, offer_id)
        if offer.status != OfferStatus.SUBMITTED.value:
            raise InvalidState(f"A {offer.status} offer cannot be accepted.")
        if not _open_for(referral, offer.supersedes_id):
            raise InvalidState(f"Offers on a {referral.status} referral cannot be accepted.")
        accepted = await session.scalar(
            select(Offer.id).where(
                Offer.referral_id == referral.id, Offer.status == OfferStatus.ACCEPTED.value
            )
        )
        if accepted is not None:
            raise InvalidState("Another offer on this referral is already accepted.")
        now = utcnow()
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
            await _notify_declined(session, settings, la_name, referral, other)
    return offer


async def _notify_declined(
    session: AsyncSession, settings: Settings, la_name: str | None, referral: Referral, offer: Offer
) -> None:
    await notify(
        session,
        settings,
        recipients=provider_staff([offer.provider_id]),
        kind=NotificationKind.OFFER_DECLINED,
        message=f"{la_name} declined your offer on referral {referral.reference}: "
        f"{(offer.decline_reason or '')[:500]}",
        subject=Subject("Offer", offer.id),
        email_subject=f"Offer declined: referral {referral.reference}",
    )


async def decline_offer(
    db: Database, settings: Settings, viewer: Viewer, *, offer_id: uuid.UUID, reason: str
) -> Offer:
    cleaned = reason.strip()
    if not cleaned:
        raise InvalidInput(
            "Give the reason for declining the offer; the provider is told it.",
            field=("input", "reason"),
        )
    async with db.transaction() as session:
        offer, referral = await _la_offer(session, viewer, offer_id)
        if offer.status != OfferStatus.SUBMITTED.value:
            raise InvalidState(f"A {offer.status} offer cannot be declined.")
        offer.status = OfferStatus.DECLINED.value
        offer.decided_at = utcnow()
        offer.decided_by_id = viewer.user_id
        offer.decided_by_api_token_id = viewer.api_token_id
        offer.decline_reason = cleaned[:2000]
        await _reopen_if_unplaced(session, referral, offer)
        la_name = await session.scalar(
            select(Organisation.name).where(Organisation.id == referral.local_authority_id)
        )
        await _notify_declined(session, settings, la_name, referral, offer)
    return offer

"""What every making of an offer (submission, update, revision) checks and saves: the home,
the compulsory and optional documents, the saved family, the category's checks; and the
insert that the one-live-offer index guards.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Mapping, Sequence
from datetime import date
from typing import Any

from sqlalchemy import delete, func, insert, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from core.documents.queries import attachable_documents
from core.errors import Conflict, InvalidInput, NotFound, Problem, invalid
from core.identity.viewer import Viewer
from core.models import (
    CategorySettings,
    Document,
    FosteringFamily,
    Home,
    Offer,
    OfferDocument,
    Organisation,
    ReferralVersion,
)
from core.models.base import utcnow
from core.offers.locks import Received
from core.plugins.registry import CategoryRegistry
from core.referrals.matching import match_providers, match_request

LIVE_INDEX = "uq_offers_live_per_provider"
#: How a document id is written where a client writes it (the GraphQL layer passes its
#: global-id encoder); used for the document references inside ``details``.
DocumentRef = Callable[[uuid.UUID], str]


class MissingDocument(InvalidInput):
    code = "MISSING_DOCUMENT"


async def check_home(
    session: AsyncSession,
    registry: CategoryRegistry,
    viewer: Viewer,
    received: Received,
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
    if home.id not in matches.homes.get(viewer.organisation_id, []):
        raise InvalidInput(
            f"{home.name} does not match this referral (its category, ages, genders accepted "
            "or beds, or the category's rules): offer one of your homes that does.",
            field=field,
        )
    return home


async def provider_documents(session: AsyncSession, provider_id: uuid.UUID) -> list[Document]:
    """The provider's documents an offer may carry (profile and case documents), newest first;
    the compulsory ones are chosen among them by kind."""
    return await attachable_documents(session, provider_id)


def compulsory_documents(
    documents: Sequence[Document], kinds: Sequence[str], today: date
) -> list[Document]:
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


def optional_documents(
    documents: Sequence[Document], ids: Sequence[uuid.UUID], compulsory: Sequence[Document]
) -> tuple[uuid.UUID, ...]:
    own = {d.id for d in documents}
    already = {d.id for d in compulsory}
    chosen: list[uuid.UUID] = []
    for index, document_id in enumerate(ids):
        if document_id not in own:
            raise NotFound(
                "No document with this id was found among your organisation's documents.",
                field=("input", "documentIds", str(index)),
            )
        if document_id not in already and document_id not in chosen:
            chosen.append(document_id)
    return tuple(chosen)


async def set_documents(
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


async def optional_ids(session: AsyncSession, offer_id: uuid.UUID) -> tuple[uuid.UUID, ...]:
    return tuple(
        await session.scalars(
            select(OfferDocument.document_id)
            .where(OfferDocument.offer_id == offer_id, OfferDocument.compulsory.is_(False))
            .order_by(OfferDocument.position)
        )
    )


async def save_family(
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


def plugin_checks(
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


async def insert_offer(session: AsyncSession, offer: Offer) -> None:
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

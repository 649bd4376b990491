"""A provider changes its SUBMITTED offer; :class:`Changes` says what an update or a revision
changes.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from core.db import Database
from core.errors import InvalidState, NotFound, Problem
from core.identity.viewer import Viewer
from core.keep import KEEP
from core.models import (
    Document,
    Home,
    Offer,
    OfferDocument,
    Referral,
    ReferralDelivery,
)
from core.models.base import utcnow
from core.notifications.kinds import NotificationKind
from core.offers.content import (
    CostInput,
    Terms,
    check_core_fee,
    check_costs,
    check_details,
    raise_problems,
)
from core.offers.kinds import OfferStatus
from core.offers.locks import Received, open_for, own_offer
from core.offers.making import (
    DocumentRef,
    check_home,
    optional_documents,
    optional_ids,
    plugin_checks,
    provider_documents,
    save_family,
    set_documents,
)
from core.offers.telling import notify_la
from core.plugins.registry import CategoryRegistry
from core.settings import Settings
from core.vacancies import has_vacancy, vacancy_check


@dataclass(frozen=True)
class Changes:
    """What an update or a revision changes; KEEP for what it leaves as it is."""

    home_id: uuid.UUID | Any = KEEP
    core_fee: Decimal | Any = KEEP
    additional_costs: Sequence[CostInput] | Any = KEEP
    start_date: date | Any | None = KEEP
    details: Any = KEEP
    document_ids: Sequence[uuid.UUID] | Any = KEEP


async def changed_terms(
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
        await check_home(session, registry, viewer, Received(referral, delivery), home_id)
    if changes.details is not KEEP:
        plugin_checks(registry, referral.category, details, documents, document_ref)
    optional = (
        await optional_ids(session, offer.id)
        if changes.document_ids is KEEP
        else optional_documents(documents, changes.document_ids or (), compulsory)
    )
    return Terms(
        home_id=home_id,
        core_fee_pence=fee,
        additional_costs=costs,
        start_date=offer.start_date if changes.start_date is KEEP else changes.start_date,
        details=details,
        document_ids=optional,
    )


def terms_of(offer: Offer, optional: Sequence[uuid.UUID]) -> Terms:
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
        offer, referral = await own_offer(session, viewer, offer_id)
        if offer.status == OfferStatus.ACCEPTED.value:
            raise InvalidState(
                "An accepted offer never changes: revise it with reviseAcceptedOffer, which "
                "makes a new offer for the local authority to accept."
            )
        if offer.status != OfferStatus.SUBMITTED.value:
            raise InvalidState(f"A {offer.status} offer cannot be changed.")
        if not open_for(referral, offer.supersedes_id):
            raise InvalidState(f"Offers on a {referral.status} referral cannot be changed.")
        documents = await provider_documents(session, viewer.organisation_id)
        compulsory_ids = set(
            await session.scalars(
                select(OfferDocument.document_id).where(
                    OfferDocument.offer_id == offer.id, OfferDocument.compulsory.is_(True)
                )
            )
        )
        compulsory = [d for d in documents if d.id in compulsory_ids]
        before = terms_of(offer, await optional_ids(session, offer.id))
        after = await changed_terms(
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
            offer.fostering_family_id = await save_family(
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
        if after.home_id != offer.home_id:
            home = await session.get(Home, after.home_id)
            assert home is not None  # checked by changed_terms
            offer.home_had_vacancy = has_vacancy(
                home, vacancy_check(settings, len(referral.children), referral.required_from)
            )
        offer.home_id = after.home_id
        offer.core_fee_pence = after.core_fee_pence
        offer.additional_costs = list(after.additional_costs)
        offer.start_date = after.start_date
        offer.details = dict(after.details)
        offer.version += 1
        offer.updated_at = utcnow()
        if after.document_ids != before.document_ids:
            await set_documents(session, offer.id, None, after.document_ids)
        await notify_la(
            session,
            settings,
            referral,
            offer,
            NotificationKind.OFFER_UPDATED,
            f"changed its offer (version {offer.version})",
        )
    return offer

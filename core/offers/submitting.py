"""A provider offers one of its matching homes for a referral it received."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy import func, select, update

from core.db import Database
from core.errors import Conflict, InvalidState, Problem
from core.identity.viewer import Viewer
from core.models import (
    Offer,
    ReferralDelivery,
)
from core.models.base import utcnow
from core.models.offers import LIVE_OFFER_STATUSES
from core.notifications.kinds import NotificationKind
from core.offers.content import (
    CostInput,
    check_core_fee,
    check_costs,
    check_details,
    raise_problems,
)
from core.offers.kinds import OfferStatus
from core.offers.locks import received_referral
from core.offers.making import (
    DocumentRef,
    check_home,
    compulsory_documents,
    insert_offer,
    optional_documents,
    plugin_checks,
    provider_documents,
    save_family,
    set_documents,
)
from core.offers.telling import money_text, notify_la
from core.plugins.registry import CategoryRegistry
from core.referrals.kinds import DeliveryStatus, ReferralStatus
from core.settings import Settings
from core.vacancies import has_vacancy, vacancy_check


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
        received = await received_referral(session, viewer, referral_id, ("input", "referralId"))
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
        home = await check_home(session, registry, viewer, received, home_id)
        documents = await provider_documents(session, viewer.organisation_id)
        plugin_checks(registry, referral.category, cleaned, documents, document_ref)
        compulsory = compulsory_documents(
            documents,
            registry.get(referral.category).declaration.required_offer_documents,
            date.today(),
        )
        optional = optional_documents(documents, document_ids, compulsory)
        family_id = await save_family(
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
            home_had_vacancy=has_vacancy(
                home, vacancy_check(settings, len(referral.children), referral.required_from, now)
            ),
        )
        await insert_offer(session, offer)
        await set_documents(session, offer.id, [d.id for d in compulsory], optional)
        await session.execute(
            update(ReferralDelivery)
            .where(ReferralDelivery.id == received.delivery.id)
            .values(
                status=DeliveryStatus.OFFERED.value,
                responded_at=func.coalesce(ReferralDelivery.responded_at, now),
            )
        )
        await notify_la(
            session,
            settings,
            referral,
            offer,
            NotificationKind.OFFER_RECEIVED,
            f"made an offer ({money_text(fee)} a week)",
        )
    return offer

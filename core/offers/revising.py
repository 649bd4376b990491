"""A provider revises its ACCEPTED offer: a new offer for the LA to accept (contract section 9)."""

from __future__ import annotations

import uuid
from datetime import date

from sqlalchemy import select

from core.db import Database
from core.errors import Conflict, InvalidState
from core.identity.viewer import Viewer
from core.keep import KEEP
from core.models import (
    Offer,
)
from core.models.base import utcnow
from core.notifications.kinds import NotificationKind
from core.offers.changing import Changes, changed_terms
from core.offers.kinds import OfferStatus
from core.offers.locks import own_offer
from core.offers.making import (
    DocumentRef,
    compulsory_documents,
    insert_offer,
    provider_documents,
    save_family,
    set_documents,
)
from core.offers.telling import money_text, notify_la
from core.plugins.registry import CategoryRegistry
from core.settings import Settings


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
    """A new SUBMITTED offer that revises the ACCEPTED one (contract section 9).

    What is not changed is copied; the compulsory documents are attached as they are now.
    Nothing agreed changes yet: the accepted offer stays ACCEPTED and its IPA as it is (SIGNED
    included) until the local authority accepts the revision (then the old offer is
    SUPERSEDED, and a new IPA drawn from the revision supersedes the old IPA). A declined or
    withdrawn revision changes nothing. One revision at a time.
    """
    async with db.transaction() as session:
        old, referral = await own_offer(session, viewer, offer_id)
        if old.status != OfferStatus.ACCEPTED.value:
            raise InvalidState(
                f"Only an accepted offer is revised; this one is {old.status}"
                + (": change it with updateOffer." if old.status == "SUBMITTED" else ".")
            )
        documents = await provider_documents(session, viewer.organisation_id)
        compulsory = compulsory_documents(
            documents,
            registry.get(referral.category).declaration.required_offer_documents,
            date.today(),
        )
        terms = await changed_terms(
            session, registry, viewer, old, referral, changes, documents, compulsory, document_ref
        )
        family_id = old.fostering_family_id
        if changes.details is not KEEP:
            family_id = await save_family(
                session,
                registry,
                viewer,
                referral.category,
                terms.details,
                old.fostering_family_id,
                field=("input", "details"),
            )
        pending = await session.scalar(
            select(Offer.id).where(
                Offer.supersedes_id == old.id, Offer.status == OfferStatus.SUBMITTED.value
            )
        )
        if pending is not None:
            raise Conflict(
                "This accepted offer already has a revision waiting for the local authority: "
                "change that one with updateOffer.",
                field=("input", "id"),
            )
        now = utcnow()
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
        await insert_offer(session, new)
        await set_documents(session, new.id, [d.id for d in compulsory], terms.document_ids)
        await notify_la(
            session,
            settings,
            referral,
            new,
            NotificationKind.OFFER_RECEIVED,
            f"revised its accepted offer ({money_text(new.core_fee_pence)} a week): accept the "
            "revision to agree to it",
        )
    return new

"""Who is told of an offer, and what: the LA's staff of a provider's offer, the provider's
staff of the LA's decision (notifications, their emails, the LA's webhooks).
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence

from sqlalchemy import Select, select
from sqlalchemy.ext.asyncio import AsyncSession

from core.access import LA_STAFF_VALUES, PROVIDER_STAFF_VALUES
from core.models import (
    Offer,
    Organisation,
    Referral,
    User,
    UserRole,
)
from core.notifications.kinds import NotificationKind
from core.notifications.service import Subject, notify
from core.offers.money import amount_of
from core.settings import Settings
from core.webhooks.events import WebhookEvent, emit

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


def money_text(pence: int) -> str:
    return f"£{amount_of(pence):,}"


async def notify_la(
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
    event = _WEBHOOK_EVENTS.get(kind)
    if event is not None:
        await emit(
            session,
            organisation_id=referral.local_authority_id,
            event=event,
            subject_type="Offer",
            subject_keys=[offer.id],
            referral_key=referral.id,
        )


#: What the LA's systems hear (webhooks) of what its staff are told.
_WEBHOOK_EVENTS = {
    NotificationKind.OFFER_RECEIVED: WebhookEvent.OFFER_SUBMITTED,
    NotificationKind.OFFER_WITHDRAWN: WebhookEvent.OFFER_WITHDRAWN,
}


async def notify_declined(
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

"""Response deadlines: by when providers are asked to respond to a referral.

A referral's ``respond_by`` is set when it is first sent, from its LA's hours for its
urgency (``Organisation.response_hours``, else :data:`DEFAULT_RESPONSE_HOURS`); the LA may
move it (``extendResponseDeadline``). A provider *responds* with an offer, a decline or a
message (``ReferralDelivery.responded_at``). Providers that have not responded are reminded
once before the deadline; after it, the LA is told once which providers did not respond.
"""

from __future__ import annotations

import logging
import uuid
from collections import defaultdict
from collections.abc import Mapping
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import and_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from core.access import LA_STAFF_VALUES, PROVIDER_STAFF_VALUES
from core.db import Database
from core.errors import InvalidInput, InvalidState, NotFound
from core.identity.viewer import Viewer
from core.models import Organisation, Referral, ReferralDelivery, User, UserRole
from core.models.base import utcnow
from core.notifications.kinds import NotificationKind
from core.notifications.service import Subject, notify
from core.referrals.kinds import DeliveryStatus, ReferralStatus, Urgency
from core.settings import Settings

logger = logging.getLogger(__name__)

#: Hours providers have to respond, by urgency, unless the LA set its own.
DEFAULT_RESPONSE_HOURS: dict[str, int] = {
    Urgency.TODAY.value: 4,
    Urgency.WITHIN_5_DAYS.value: 48,
    Urgency.OVER_5_DAYS.value: 120,
}
#: The longest an LA may give (a deadline, not a holding pattern): 60 days.
MAX_RESPONSE_HOURS = 24 * 60


def response_hours(organisation: Organisation) -> dict[str, int]:
    return {**DEFAULT_RESPONSE_HOURS, **(organisation.response_hours or {})}


def response_time(organisation: Organisation, urgency: str) -> timedelta:
    return timedelta(hours=response_hours(organisation)[urgency])


async def set_response_hours(
    db: Database, viewer: Viewer, *, hours: Mapping[str, int | None]
) -> Organisation:
    """The LA's own hours by urgency (None: back to the default); the next send uses them."""
    stored: dict[str, Any] = {}
    for urgency, value in hours.items():
        if value is None:
            continue
        if not 1 <= value <= MAX_RESPONSE_HOURS:
            raise InvalidInput(
                f"Give between 1 and {MAX_RESPONSE_HOURS} hours for {urgency} referrals.",
                field=("input", urgency),
            )
        stored[urgency] = value
    async with db.transaction() as session:
        organisation = await session.get(Organisation, viewer.organisation_id, with_for_update=True)
        assert organisation is not None
        organisation.response_hours = {**(organisation.response_hours or {}), **stored}
        for urgency, value in hours.items():
            if value is None:
                organisation.response_hours.pop(urgency, None)
    return organisation


async def extend_response_deadline(
    db: Database,
    settings: Settings,
    viewer: Viewer,
    *,
    referral_id: uuid.UUID,
    respond_by: datetime,
) -> Referral:
    """The LA moves the deadline of its SENT referral to a later moment; providers that have
    not responded are told, and will be reminded again before the new deadline."""
    if respond_by.tzinfo is None:
        raise InvalidInput(
            "Give the deadline with its time zone (e.g. 2026-12-04T17:00:00Z).",
            field=("input", "respondBy"),
        )
    now = utcnow()
    async with db.transaction() as session:
        referral = await session.scalar(
            select(Referral).where(Referral.id == referral_id).with_for_update()
        )
        if referral is None or referral.local_authority_id != viewer.organisation_id:
            raise NotFound("No referral with this id was found.", field=("input", "referralId"))
        if referral.status != ReferralStatus.SENT.value:
            raise InvalidState(f"A {referral.status} referral has no response deadline to move.")
        if respond_by <= now:
            raise InvalidInput("Give a deadline in the future.", field=("input", "respondBy"))
        if referral.respond_by is not None and respond_by <= referral.respond_by:
            raise InvalidInput(
                "Give a deadline later than the current one "
                f"({referral.respond_by.isoformat(timespec='minutes')}).",
                field=("input", "respondBy"),
            )
        referral.respond_by = respond_by
        referral.deadline_reported_at = None
        referral.updated_at = now
        await session.execute(
            update(ReferralDelivery)
            .where(ReferralDelivery.referral_id == referral.id)
            .values(deadline_reminded_at=None)
        )
        await notify(
            session,
            settings,
            recipients=_waiting_staff(referral.id),
            kind=NotificationKind.REMINDER,
            message=f"The deadline to respond to referral {referral.reference} is now "
            f"{_when(respond_by)}.",
            subject=Subject("Referral", referral.id),
        )
    return referral


def _when(moment: datetime) -> str:
    return moment.strftime("%d %b %Y %H:%M UTC")


def _waiting() -> Any:
    """Deliveries still waiting for a response (no offer, decline or message yet)."""
    return and_(
        ReferralDelivery.responded_at.is_(None),
        ReferralDelivery.status == DeliveryStatus.NEW.value,
    )


def _waiting_staff(referral_id: uuid.UUID) -> Any:
    return (
        select(User.id)
        .join(UserRole, UserRole.user_id == User.id)
        .join(ReferralDelivery, ReferralDelivery.provider_id == User.organisation_id)
        .where(
            ReferralDelivery.referral_id == referral_id,
            _waiting(),
            User.is_active.is_(True),
            UserRole.role.in_(PROVIDER_STAFF_VALUES),
        )
        .distinct()
    )


async def mark_responded(
    session: AsyncSession, referral_id: uuid.UUID, provider_id: uuid.UUID, now: datetime
) -> None:
    """The provider responded (an offer, a decline, a message): the first response counts."""
    await session.execute(
        update(ReferralDelivery)
        .where(
            ReferralDelivery.referral_id == referral_id,
            ReferralDelivery.provider_id == provider_id,
            ReferralDelivery.responded_at.is_(None),
        )
        .values(responded_at=now)
    )


async def remind_before_deadlines(
    db: Database, settings: Settings, *, now: datetime | None = None
) -> int:
    """Remind, once per deadline, the staff of providers that have not responded, when the
    deadline is within ``response_reminder_hours`` and half their time to respond has passed.
    Returns how many deliveries were reminded of."""
    moment = now or utcnow()
    horizon = moment + timedelta(hours=settings.response_reminder_hours)
    reminded = 0
    async with db.transaction() as session:
        rows = (
            await session.execute(
                select(ReferralDelivery.id, ReferralDelivery.delivered_at, Referral)
                .join(Referral, Referral.id == ReferralDelivery.referral_id)
                .where(
                    Referral.status == ReferralStatus.SENT.value,
                    Referral.respond_by > moment,
                    Referral.respond_by <= horizon,
                    ReferralDelivery.deadline_reminded_at.is_(None),
                    _waiting(),
                )
                .with_for_update(of=ReferralDelivery)
            )
        ).all()
        due: dict[uuid.UUID, list[uuid.UUID]] = defaultdict(list)
        referrals: dict[uuid.UUID, Referral] = {}
        for delivery_id, delivered_at, referral in rows:
            assert referral.respond_by is not None
            if referral.respond_by - moment <= (referral.respond_by - delivered_at) / 2:
                due[referral.id].append(delivery_id)
                referrals[referral.id] = referral
        for referral_id, delivery_ids in due.items():
            referral = referrals[referral_id]
            assert referral.respond_by is not None
            staff = (
                select(User.id)
                .join(UserRole, UserRole.user_id == User.id)
                .join(ReferralDelivery, ReferralDelivery.provider_id == User.organisation_id)
                .where(
                    ReferralDelivery.id.in_(delivery_ids),
                    User.is_active.is_(True),
                    UserRole.role.in_(PROVIDER_STAFF_VALUES),
                )
                .distinct()
            )
            await notify(
                session,
                settings,
                recipients=staff,
                kind=NotificationKind.REMINDER,
                message=f"Referral {referral.reference} asks for a response by "
                f"{_when(referral.respond_by)}: make an offer, decline it, or send a message.",
                subject=Subject("Referral", referral.id),
                email_subject=f"Respond by {_when(referral.respond_by)}: referral "
                f"{referral.reference}",
            )
            await session.execute(
                update(ReferralDelivery)
                .where(ReferralDelivery.id.in_(delivery_ids))
                .values(deadline_reminded_at=moment)
            )
            reminded += len(delivery_ids)
    if reminded:
        logger.info("reminded %d providers of response deadlines", reminded)
    return reminded


async def report_missed_deadlines(
    db: Database, settings: Settings, *, now: datetime | None = None
) -> int:
    """Tell each LA, once per deadline, which providers did not respond by it.
    Returns how many referrals were reported."""
    moment = now or utcnow()
    reported = 0
    async with db.transaction() as session:
        referrals = list(
            await session.scalars(
                select(Referral)
                .where(
                    Referral.status == ReferralStatus.SENT.value,
                    Referral.respond_by <= moment,
                    Referral.deadline_reported_at.is_(None),
                )
                .with_for_update()
            )
        )
        for referral in referrals:
            names = list(
                await session.scalars(
                    select(Organisation.name)
                    .join(ReferralDelivery, ReferralDelivery.provider_id == Organisation.id)
                    .where(ReferralDelivery.referral_id == referral.id, _waiting())
                    .order_by(Organisation.name)
                )
            )
            referral.deadline_reported_at = moment
            if not names:
                continue
            listed = ", ".join(names[:10]) + (
                f" and {len(names) - 10} more" if len(names) > 10 else ""
            )
            await notify(
                session,
                settings,
                recipients=select(User.id)
                .join(UserRole, UserRole.user_id == User.id)
                .where(
                    User.organisation_id == referral.local_authority_id,
                    User.is_active.is_(True),
                    UserRole.role.in_(LA_STAFF_VALUES),
                )
                .distinct(),
                kind=NotificationKind.REMINDER,
                message=f"{len(names)} provider(s) did not respond to referral "
                f"{referral.reference} by its deadline: {listed}. You can extend the deadline.",
                subject=Subject("Referral", referral.id),
            )
            reported += 1
    return reported

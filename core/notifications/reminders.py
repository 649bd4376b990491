"""REMINDER: once a day, provider users who have unread referrals are reminded of them.

An unread referral of a user is one the user was told of (a REFERRAL_RECEIVED notification)
and has not marked that notification read, while the referral is still open to them: it is
still SENT (not withdrawn or placed) and their provider has neither declined it nor made an
offer (its delivery is NEW). That is the simplest correct definition: the notification's
``read_at`` is the only per-person read state a referral has, and a referral that was
withdrawn or acted on needs no reminder.

Each user is reminded at most once per day (the Europe/London date): the sweep mark
``REMINDER`` / ``<user id>:<date>`` is claimed in the unit of work that writes the
reminder, so two sweeps at once (two schedulers by mistake, a doubled tick) remind once.
Users are reminded in batches, each batch one unit of work written in bulk: the sweep runs
inside ``portal serve`` on the embedded default, where a unit of work per user kept the
server busy for seconds (about 20 s for 2,644 users).
"""

from __future__ import annotations

import logging
import uuid
from collections import defaultdict
from datetime import date, datetime
from zoneinfo import ZoneInfo

from sqlalchemy import and_, exists, select

from core.access import PROVIDER_STAFF_VALUES
from core.db import Database
from core.jobs.once import claim_each
from core.models import Notification, Referral, ReferralDelivery, SweepMark, User, UserRole
from core.notifications.kinds import NotificationKind
from core.notifications.service import PersonalMessage, notify_each
from core.referrals.kinds import DeliveryStatus, ReferralStatus
from core.settings import Settings

logger = logging.getLogger(__name__)

MARK_KIND = NotificationKind.REMINDER.value
LONDON = ZoneInfo("Europe/London")
#: References named in one reminder (the rest are counted).
NAMED = 10
#: Users reminded per unit of work: a region's thousands in a few statements, each batch
#: small enough for one statement's parameters on SQLite.
BATCH = 500


def london_today() -> date:
    return datetime.now(LONDON).date()


def mark_key(user_id: uuid.UUID, day: date) -> str:
    return f"{user_id.hex}:{day.isoformat()}"


async def unread_referrals(db: Database, day: date) -> dict[uuid.UUID, list[str]]:
    """``{user id: [references of their unread referrals]}`` for users not reminded on ``day``."""
    statement = (
        select(Notification.user_id, Referral.reference)
        .join(User, and_(User.id == Notification.user_id, User.is_active.is_(True)))
        .join(Referral, Referral.id == Notification.subject_key)
        .join(
            ReferralDelivery,
            and_(
                ReferralDelivery.referral_id == Referral.id,
                ReferralDelivery.provider_id == User.organisation_id,
            ),
        )
        .where(
            Notification.kind == NotificationKind.REFERRAL_RECEIVED.value,
            Notification.subject_type == "Referral",
            Notification.read_at.is_(None),
            Referral.status == ReferralStatus.SENT.value,
            ReferralDelivery.status == DeliveryStatus.NEW.value,
            exists().where(UserRole.user_id == User.id, UserRole.role.in_(PROVIDER_STAFF_VALUES)),
        )
        .distinct()
        .order_by(Notification.user_id, Referral.reference)
    )
    found: dict[uuid.UUID, list[str]] = defaultdict(list)
    async with db.session() as session:
        for user_id, reference in (await session.execute(statement)).all():
            found[user_id].append(reference)
        if not found:
            return {}
        reminded = set(
            await session.scalars(
                select(SweepMark.key).where(
                    SweepMark.kind == MARK_KIND,
                    SweepMark.key.in_([mark_key(u, day) for u in found]),
                )
            )
        )
    return {u: refs for u, refs in found.items() if mark_key(u, day) not in reminded}


def _message(references: list[str]) -> str:
    count = len(references)
    named = ", ".join(references[:NAMED])
    more = f" and {count - NAMED} more" if count > NAMED else ""
    noun = "referral" if count == 1 else "referrals"
    return f"You have {count} unread {noun}: {named}{more}. Sign in to read and respond."


def _reminder(references: list[str]) -> PersonalMessage:
    count = len(references)
    return PersonalMessage(
        message=_message(references),
        email_subject=f"Placement portal: {count} unread referral{'s' if count != 1 else ''}",
    )


async def remind_unread_referrals(
    db: Database, settings: Settings, *, today: date | None = None, batch: int = BATCH
) -> int:
    """Remind each provider user with unread referrals, once per day.

    Idempotent and safe to run concurrently: a unit of work per ``batch`` users first claims
    their marks for the day, then reminds only the users it claimed. Returns how many users
    were reminded.
    """
    day = today or london_today()
    unread = await unread_referrals(db, day)
    users = list(unread)
    reminded = 0
    for start in range(0, len(users), batch):
        keys = {mark_key(user_id, day): user_id for user_id in users[start : start + batch]}
        async with db.transaction() as session:
            claimed = await claim_each(session, MARK_KIND, keys)
            reminded += await notify_each(
                session,
                settings,
                kind=NotificationKind.REMINDER,
                messages={keys[key]: _reminder(unread[keys[key]]) for key in sorted(claimed)},
            )
    if reminded:
        logger.info("reminded %d provider users of unread referrals", reminded)
    return reminded

"""Notifying people of an event: a notification per recipient and, unless the recipient
turned that kind of email off, an outbox email; both in the event's own unit of work.

One event may reach a thousand people (a referral sent across a region), so the rows are
written by two INSERT ... SELECT statements inside the database, not row by row.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import (
    ColumnElement,
    Select,
    String,
    and_,
    cast,
    func,
    insert,
    literal,
    select,
    text,
)
from sqlalchemy.ext.asyncio import AsyncSession

from core.models import Notification, OutboxEmail, User
from core.models.base import utcnow
from core.notifications.kinds import NotificationKind
from core.settings import Settings


@dataclass(frozen=True)
class Subject:
    """What a notification is about: a GraphQL type name and the object's key."""

    type_name: str
    key: uuid.UUID


@dataclass(frozen=True)
class NotificationEvent:
    """One event's notifications: they share ``event_id``."""

    event_id: uuid.UUID
    kind: NotificationKind
    message: str
    subject: Subject | None


def _new_uuid(dialect: str) -> ColumnElement[uuid.UUID]:
    if dialect == "postgresql":
        return func.gen_random_uuid()
    return func.lower(func.hex(func.randomblob(16)))  # the 32-hex form SQLAlchemy keeps there


def _wants_email(dialect: str, kind: str) -> ColumnElement[bool]:
    """The user did not turn off emails of ``kind`` (``User.email_opt_outs``)."""
    if dialect == "postgresql":
        return text(
            "NOT jsonb_exists(CAST(users.email_opt_outs AS jsonb), :opt_out_kind)"
        ).bindparams(opt_out_kind=kind)
    return text(
        "NOT EXISTS (SELECT 1 FROM json_each(users.email_opt_outs) "
        "WHERE json_each.value = :opt_out_kind)"
    ).bindparams(opt_out_kind=kind)


async def notify(
    session: AsyncSession,
    settings: Settings,
    *,
    recipients: Iterable[uuid.UUID] | Select[tuple[uuid.UUID]],
    kind: NotificationKind,
    message: str,
    subject: Subject | None = None,
    email_subject: str | None = None,
    email_body: str | None = None,
) -> NotificationEvent:
    """Notify each recipient (active users only, each once) of one event.

    ``recipients`` is a list of user ids or a SELECT of user ids (for large fan-outs).
    """
    dialect = session.bind.dialect.name if session.bind is not None else "sqlite"
    event = NotificationEvent(uuid.uuid4(), kind, message, subject)
    if isinstance(recipients, Select):
        wanted: Select[tuple[uuid.UUID]] | list[uuid.UUID] = recipients
    else:
        wanted = list(dict.fromkeys(recipients))
        if not wanted:
            return event
    now = utcnow()
    people = select(User.id).where(User.id.in_(wanted), User.is_active.is_(True)).distinct()
    await session.execute(
        insert(Notification.__table__).from_select(
            [
                "id",
                "user_id",
                "kind",
                "message",
                "subject_type",
                "subject_key",
                "created_at",
                "event_id",
            ],
            select(
                _new_uuid(dialect),
                people.subquery().c.id,
                literal(kind.value),
                literal(message),
                literal(subject.type_name if subject else None, String),
                literal(
                    subject.key if subject else None, Notification.__table__.c.subject_key.type
                ),
                literal(now, Notification.__table__.c.created_at.type),
                literal(event.event_id, Notification.__table__.c.event_id.type),
            ),
        )
    )
    body = (
        f"\n\n{email_body or message}\n\n"
        f"Sign in to the placement portal to see it: {settings.base_url}\n"
    )
    notification = Notification.__table__.c
    await session.execute(
        insert(OutboxEmail.__table__).from_select(
            [
                "id",
                "recipient",
                "subject",
                "body",
                "message_id",
                "kind",
                "user_id",
                "notification_id",
                "created_at",
                "attempts",
            ],
            select(
                _new_uuid(dialect),
                User.email,
                literal(email_subject or f"Placement portal: {message[:120]}"),
                literal("Dear ") + User.name + literal(",") + literal(body),
                literal("<") + cast(notification.id, String) + literal(f"@{settings.mail_domain}>"),
                literal(kind.value),
                User.id,
                notification.id,
                literal(now, OutboxEmail.__table__.c.created_at.type),
                literal(0),
            )
            .select_from(Notification.__table__)
            .join(User, User.id == notification.user_id)
            .where(
                and_(notification.event_id == event.event_id, _wants_email(dialect, kind.value))
            ),
        )
    )
    return event

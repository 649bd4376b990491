"""Notifying people of an event: a notification per recipient and, unless the recipient
turned that kind of email off, an outbox email; both in the event's own unit of work, written
in bulk inside the database. Once it commits, the notifications are published to live
subscribers and the outbox is sent.

Also the viewer's own notification actions: marking read, and email preferences."""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Select,
    String,
    TextClause,
    and_,
    cast,
    func,
    insert,
    literal,
    select,
    text,
    update,
)
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.types import Uuid

from core.bulk import json_rows
from core.db import Database, after_commit, dialect_of, rowcount
from core.errors import Forbidden, InvalidInput, NotFound
from core.identity.viewer import Viewer
from core.ids import time_ordered_id_sql
from core.models import Notification, OutboxEmail, User
from core.models.base import utcnow
from core.notifications.kinds import NotificationKind
from core.notifications.outbox import send_after_commit
from core.notifications.realtime import publish
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
    #: The notifications written (one per recipient), as hex.
    notification_hex_ids: tuple[str, ...] = ()

    @property
    def notification_ids(self) -> tuple[uuid.UUID, ...]:
        return tuple(uuid.UUID(hex=h) for h in self.notification_hex_ids)


def _hex(dialect: str, column: ColumnElement[uuid.UUID]) -> ColumnElement[str]:
    """A UUID column as 32 lower-case hex digits (how SQLite keeps it already)."""
    if dialect == "postgresql":
        return func.replace(cast(column, String), "-", "")
    return cast(column, String)


def _wants_email(dialect: str, kind: str) -> TextClause:
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
    recipients: Iterable[uuid.UUID] | Select[uuid.UUID],
    kind: NotificationKind,
    message: str,
    subject: Subject | None = None,
    email_subject: str | None = None,
    email_body: str | None = None,
) -> NotificationEvent:
    """Notify each recipient (active users only, each once) of one event.

    ``recipients`` is a list of user ids or a SELECT of user ids (for large fan-outs). One
    event may reach a thousand people (a referral sent across a region), so the rows are
    written by two INSERT ... SELECT statements inside the database, not row by row.
    """
    dialect = dialect_of(session)
    event = NotificationEvent(uuid.uuid4(), kind, message, subject)
    if isinstance(recipients, Select):
        wanted: Select[uuid.UUID] | list[uuid.UUID] = recipients
    else:
        wanted = list(dict.fromkeys(recipients))
        if not wanted:
            return event
    now = utcnow()
    table = Notification.__table__
    # Each person once: the rows are the users' own (IN does not repeat them).
    people = select(User.id).where(User.id.in_(wanted), User.is_active.is_(True))
    written = (
        await session.execute(
            insert(table)
            .from_select(
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
                    time_ordered_id_sql(dialect),
                    people.subquery().c.id,
                    literal(kind.value),
                    literal(message),
                    literal(subject.type_name if subject else None, String),
                    literal(subject.key if subject else None, table.c.subject_key.type),
                    literal(now, table.c.created_at.type),
                    literal(event.event_id, table.c.event_id.type),
                ),
            )
            # The keys as plain hex text: a thousand rows need no UUID objects here.
            .returning(_hex(dialect, table.c.id), _hex(dialect, table.c.user_id))
        )
    ).all()
    if not written:
        return event
    await session.execute(
        insert(OutboxEmail.__table__).from_select(
            _OUTBOX_COLUMNS,
            _outbox_rows(
                dialect,
                settings,
                kind,
                now,
                subject=literal(email_subject or f"Placement portal: {message[:120]}"),
                text=literal(email_body or message),
            ).where(and_(table.c.event_id == event.event_id, _wants_email(dialect, kind.value))),
        )
    )
    _after_commit(
        session,
        settings,
        [(id_hex, user_hex, message) for id_hex, user_hex in written],
        kind,
        subject,
        now,
    )
    return NotificationEvent(
        event.event_id, kind, message, subject, tuple(id_hex for id_hex, _ in written)
    )


@dataclass(frozen=True)
class PersonalMessage:
    """What one person is told: the notification's message and its email's subject."""

    message: str
    email_subject: str


async def notify_each(
    session: AsyncSession,
    settings: Settings,
    *,
    kind: NotificationKind,
    messages: Mapping[uuid.UUID, PersonalMessage],
) -> int:
    """Notify each person (active users only) of their own message: a digest such as the
    daily reminder, where every recipient is told something different.

    Written in bulk like :func:`notify` (two INSERT ... SELECT statements, the messages
    bound as one JSON parameter), with the same outbox emails and live events. Returns how
    many notifications were written.
    """
    if not messages:
        return 0
    dialect = dialect_of(session)
    event_id = uuid.uuid4()
    now = utcnow()
    table = Notification.__table__
    given = json_rows(
        dialect,
        [(user_id.hex, m.message, m.email_subject) for user_id, m in messages.items()],
        {"user_id": Uuid(), "message": String(), "email_subject": String()},
    )
    written = (
        await session.execute(
            insert(table)
            .from_select(
                ["id", "user_id", "kind", "message", "created_at", "event_id"],
                select(
                    time_ordered_id_sql(dialect),
                    given.c.user_id,
                    literal(kind.value),
                    given.c.message,
                    literal(now, table.c.created_at.type),
                    literal(event_id, table.c.event_id.type),
                ).where(given.c.user_id.in_(select(User.id).where(User.is_active.is_(True)))),
            )
            .returning(_hex(dialect, table.c.id), _hex(dialect, table.c.user_id), table.c.message)
        )
    ).all()
    if not written:
        return 0
    await session.execute(
        insert(OutboxEmail.__table__).from_select(
            _OUTBOX_COLUMNS,
            _outbox_rows(
                dialect, settings, kind, now, subject=given.c.email_subject, text=table.c.message
            )
            .join(given, given.c.user_id == table.c.user_id)
            .where(and_(table.c.event_id == event_id, _wants_email(dialect, kind.value))),
        )
    )
    _after_commit(session, settings, [tuple(row) for row in written], kind, None, now)
    return len(written)


_OUTBOX_COLUMNS = [
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
]


def _outbox_rows(
    dialect: str,
    settings: Settings,
    kind: NotificationKind,
    now: datetime,
    *,
    subject: ColumnElement[str],
    text: ColumnElement[str],
) -> Select[Any]:
    """The outbox email of each notification selected from (notifications JOIN users); the
    caller narrows it to one event and to the people who want this kind of email."""
    table = Notification.__table__
    return (
        select(
            time_ordered_id_sql(dialect),
            User.email,
            subject,
            literal("Dear ")
            + User.name
            + literal(",\n\n")
            + text
            + literal(f"\n\nSign in to the placement portal to see it: {settings.base_url}\n"),
            # One email per notification: its Message-ID is the notification id, as hex on
            # both databases (message_id_for's form).
            literal("<") + _hex(dialect, table.c.id) + literal(f"@{settings.mail_domain}>"),
            literal(kind.value),
            User.id,
            table.c.id,
            literal(now, OutboxEmail.__table__.c.created_at.type),
            literal(0),
        )
        .select_from(table)
        .join(User, User.id == table.c.user_id)
    )


def _after_commit(
    session: AsyncSession,
    settings: Settings,
    written: Sequence[tuple[str, str, str]],
    kind: NotificationKind,
    subject: Subject | None,
    now: datetime,
) -> None:
    """Once committed: send the outbox, and publish each notification written
    (``(id hex, user id hex, message)``) to its person's live subscriptions."""
    send_after_commit(session)
    common = {
        "kind": kind.value,
        "subject_type": subject.type_name if subject else None,
        "subject_key": subject.key.hex if subject else None,
        "created_at": now.isoformat(),
    }
    events = [
        {"user_id": user_hex, "id": id_hex, "message": message, **common}
        for id_hex, user_hex, message in written
    ]

    async def publish_events() -> None:
        await publish(settings, events)

    after_commit(session, publish_events)


async def mark_read(
    db: Database,
    viewer: Viewer,
    *,
    ids: Sequence[uuid.UUID] | None = None,
    all: bool | None = None,
) -> int:
    """Mark the viewer's notifications read (``ids``, or ``all``); returns how many changed.

    Ids of notifications that are not the viewer's, or already read, are not counted.
    """
    if viewer.user_id is None:
        raise Forbidden("An API token has no notifications; a person must sign in.")
    if ids is None and not all:
        raise InvalidInput(
            "Say which notifications to mark read: give their ids, or all: true.",
            field=("input", "ids"),
        )
    if ids is not None and all:
        raise InvalidInput("Give either ids or all: true, not both.", field=("input", "all"))
    if ids is not None and not ids:
        return 0
    statement = update(Notification).where(
        Notification.user_id == viewer.user_id, Notification.read_at.is_(None)
    )
    if ids is not None:
        statement = statement.where(Notification.id.in_(list(dict.fromkeys(ids))))
    async with db.transaction() as session:
        result = await session.execute(
            statement.values(read_at=utcnow()).execution_options(synchronize_session=False)
        )
    return rowcount(result)


async def set_email_preferences(
    db: Database, viewer: Viewer, *, disabled_kinds: Iterable[NotificationKind]
) -> User:
    """Turn emails off for ``disabled_kinds`` (and on for every other kind).

    In-portal notifications of every kind always stay.
    """
    if viewer.user_id is None:
        raise Forbidden("An API token has no email preferences; a person must sign in.")
    kinds = sorted({NotificationKind(k).value for k in disabled_kinds})
    async with db.transaction() as session:
        user = await session.scalar(select(User).where(User.id == viewer.user_id))
        if user is None:
            raise NotFound("Your account was not found.")
        user.email_opt_outs = kinds
    return user

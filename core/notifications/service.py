"""Notifying people of an event: a notification per recipient and, unless the recipient
turned that kind of email off, an outbox email; both in the event's own unit of work. Once it
commits, the notifications are published to live subscribers and the outbox is sent.

Also the viewer's own notification actions: marking read, and email preferences."""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from core.db import Database, after_commit
from core.errors import Forbidden, InvalidInput, NotFound
from core.identity.viewer import Viewer
from core.models import Notification, User
from core.models.base import utcnow
from core.notifications.kinds import NotificationKind
from core.notifications.outbox import queue_email
from core.notifications.realtime import event_of, publish
from core.settings import Settings


@dataclass(frozen=True)
class Subject:
    """What a notification is about: a GraphQL type name and the object's key."""

    type_name: str
    key: uuid.UUID


async def notify(
    session: AsyncSession,
    settings: Settings,
    *,
    recipients: Iterable[uuid.UUID],
    kind: NotificationKind,
    message: str,
    subject: Subject | None = None,
    email_subject: str | None = None,
    email_body: str | None = None,
) -> list[Notification]:
    """Notify each recipient (active users only; each once) of one event."""
    ids = list(dict.fromkeys(recipients))
    if not ids:
        return []
    users = (
        await session.execute(
            select(User.id, User.email, User.name, User.email_opt_outs).where(
                User.id.in_(ids), User.is_active.is_(True)
            )
        )
    ).all()
    now = utcnow()
    notifications = []
    mail_domain = settings.mail_domain
    for user_id, email, name, opt_outs in users:
        notification = Notification(
            id=uuid.uuid4(),
            user_id=user_id,
            kind=kind.value,
            message=message,
            subject_type=subject.type_name if subject else None,
            subject_key=subject.key if subject else None,
            created_at=now,
        )
        session.add(notification)
        notifications.append(notification)
        if kind.value in (opt_outs or []):
            continue
        queue_email(
            session,
            recipient=email,
            subject=email_subject or f"Placement portal: {message[:120]}",
            body=(
                f"Dear {name},\n\n{email_body or message}\n\n"
                f"Sign in to the placement portal to see it: {settings.base_url}\n"
            ),
            kind=kind.value,
            mail_domain=mail_domain,
            user_id=user_id,
            notification_id=notification.id,
        )
    await session.flush()
    events = [event_of(n) for n in notifications]
    if events:

        async def publish_events() -> None:
            await publish(settings, events)

        after_commit(session, publish_events)
    return notifications


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
    return int(result.rowcount)  # type: ignore[attr-defined]


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

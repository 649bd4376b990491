"""Notifying people of an event: a notification per recipient and, unless the recipient
turned that kind of email off, an outbox email; both in the event's own unit of work."""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from core.models import Notification, User
from core.models.base import utcnow
from core.notifications.kinds import NotificationKind
from core.notifications.outbox import queue_email
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
    return notifications

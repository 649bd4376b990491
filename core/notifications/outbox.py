"""Writing emails to the outbox, inside the caller's unit of work."""

from __future__ import annotations

import uuid

from sqlalchemy.ext.asyncio import AsyncSession

from core.models import OutboxEmail


def message_id_for(email_id: uuid.UUID, domain: str) -> str:
    """A stable RFC 5322 Message-ID: the same row always carries the same id."""
    return f"<{email_id.hex}@{domain}>"


def queue_email(
    session: AsyncSession,
    *,
    recipient: str,
    subject: str,
    body: str,
    kind: str,
    mail_domain: str,
    user_id: uuid.UUID | None = None,
    notification_id: uuid.UUID | None = None,
) -> OutboxEmail:
    """Add an email to the outbox; it is sent only if the unit of work commits."""
    email_id = uuid.uuid4()
    email = OutboxEmail(
        id=email_id,
        recipient=recipient,
        subject=subject,
        body=body,
        kind=kind,
        message_id=message_id_for(email_id, mail_domain),
        user_id=user_id,
        notification_id=notification_id,
    )
    session.add(email)
    return email

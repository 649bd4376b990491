"""Writing emails to the outbox, inside the caller's unit of work.

Each unit of work that queues an email also asks, once it has committed, for the outbox to
be sent (``send_outbox``); the periodic outbox sweep covers a request that is lost (no broker
yet, Redis briefly down, a process killed between commit and enqueue).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from core.db import after_commit
from core.jobs.queue import enqueue_async
from core.models import OutboxEmail

_KICK_KEY = "portal.outbox_kick"


@dataclass(frozen=True)
class PendingEmail:
    """An outbox row claimed for sending (plain values: safe outside the session)."""

    id: uuid.UUID
    recipient: str
    subject: str
    body: str
    message_id: str
    created_at: datetime
    attempts: int
    claimed_until: datetime


def message_id_for(email_id: uuid.UUID, domain: str) -> str:
    """A stable RFC 5322 Message-ID: the same row always carries the same id."""
    return f"<{email_id.hex}@{domain}>"


async def _send_outbox_soon() -> None:
    await enqueue_async("send_outbox")


def send_after_commit(session: AsyncSession) -> None:
    """Ask for the outbox to be sent once this unit of work commits (once per unit of work)."""
    if session.info.get(_KICK_KEY):
        return
    session.info[_KICK_KEY] = True
    after_commit(session, _send_outbox_soon)


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
    send_after_commit(session)
    return email

"""Writing webhook deliveries in the unit of work of the change they report (outbox pattern).

A service calls :func:`emit` next to its ``notify``: one row per enabled endpoint of the LA
that chose the event, and per subject, with the body fixed now. Once the unit of work
commits, ``send_webhooks`` is asked for; the periodic sweep covers a lost request. If the
unit of work rolls back, nothing is sent.

Payloads carry ids and types only (contract section 14), never a child's details: the LA's
system reads what it needs through GraphQL with its API token.
"""

from __future__ import annotations

import base64
import uuid
from collections.abc import Sequence
from datetime import datetime
from enum import StrEnum

import orjson
from sqlalchemy import insert, select
from sqlalchemy.ext.asyncio import AsyncSession

from core.db import after_commit
from core.ids import time_ordered_id
from core.jobs.queue import enqueue_async
from core.models import WebhookDelivery, WebhookEndpoint
from core.models.base import utcnow

_KICK_KEY = "portal.webhooks_kick"


class WebhookEvent(StrEnum):
    """The contract's ``WebhookEvent``: what an LA's system can hear about."""

    REFERRAL_DELIVERED = "REFERRAL_DELIVERED"
    OFFER_SUBMITTED = "OFFER_SUBMITTED"
    OFFER_WITHDRAWN = "OFFER_WITHDRAWN"
    MESSAGE_RECEIVED = "MESSAGE_RECEIVED"
    IPA_READY_TO_SIGN = "IPA_READY_TO_SIGN"
    IPA_SIGNED = "IPA_SIGNED"
    REGISTRATION_SUBMITTED = "REGISTRATION_SUBMITTED"


def global_id(type_name: str, key: uuid.UUID) -> str:
    """The object's GraphQL id (``base64url("Type:hex")``, unpadded), as the API gives it."""
    return base64.urlsafe_b64encode(f"{type_name}:{key.hex}".encode()).decode().rstrip("=")


def rfc3339(moment: datetime) -> str:
    return moment.isoformat(timespec="milliseconds").replace("+00:00", "Z")


def payload(
    event: WebhookEvent,
    moment: datetime,
    subject_type: str,
    subject_key: uuid.UUID,
    referral_key: uuid.UUID | None,
) -> str:
    return orjson.dumps(
        {
            "type": event.value,
            "timestamp": rfc3339(moment),
            "data": {
                "subjectId": global_id(subject_type, subject_key),
                "referralId": global_id("Referral", referral_key) if referral_key else None,
            },
        }
    ).decode()


async def _send_webhooks_soon() -> None:
    await enqueue_async("send_webhooks")


def send_after_commit(session: AsyncSession) -> None:
    """Ask for the webhooks to be sent once this unit of work commits (once per unit)."""
    if session.info.get(_KICK_KEY):
        return
    session.info[_KICK_KEY] = True
    after_commit(session, _send_webhooks_soon)


async def emit(
    session: AsyncSession,
    *,
    organisation_id: uuid.UUID,
    event: WebhookEvent,
    subject_type: str,
    subject_keys: Sequence[uuid.UUID],
    referral_key: uuid.UUID | None = None,
) -> int:
    """Write ``event`` about each of ``subject_keys`` for every enabled endpoint of
    ``organisation_id`` (an LA) that chose it; returns how many deliveries were written."""
    if not subject_keys:
        return 0
    endpoints = (
        await session.execute(
            select(WebhookEndpoint.id, WebhookEndpoint.events).where(
                WebhookEndpoint.organisation_id == organisation_id,
                WebhookEndpoint.enabled.is_(True),
            )
        )
    ).all()
    wanted = [endpoint_id for endpoint_id, events in endpoints if event.value in (events or ())]
    if not wanted:
        return 0
    now = utcnow()
    rows: list[dict[str, object]] = []
    for subject_key in subject_keys:
        body = payload(event, now, subject_type, subject_key, referral_key)
        rows.extend(
            {
                "id": time_ordered_id(),
                "endpoint_id": endpoint_id,
                "event": event.value,
                "subject_type": subject_type,
                "subject_key": subject_key,
                "body": body,
                "status": "PENDING",
                "attempts": 0,
                "created_at": now,
            }
            for endpoint_id in wanted
        )
    await session.execute(insert(WebhookDelivery.__table__), rows)
    send_after_commit(session)
    return len(rows)

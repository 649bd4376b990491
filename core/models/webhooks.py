"""Webhook endpoints of LA systems, and the deliveries waiting for (or sent to) them."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import JSON, Boolean, ForeignKey, Index, Integer, LargeBinary, String, Text, text
from sqlalchemy.orm import Mapped, mapped_column

from core.models.base import Base, HasId, utcnow


class WebhookEndpoint(HasId, Base):
    """A URL of an LA's system that hears about the events it chose (``events``)."""

    __tablename__ = "webhook_endpoints"

    organisation_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("organisations.id", ondelete="CASCADE"), index=True
    )
    url: Mapped[str] = mapped_column(String(2000))
    #: ``WebhookEvent`` values.
    events: Mapped[list[str]] = mapped_column(JSON, default=list)
    #: The ``whsec_`` signing secret, encrypted under ``PORTAL_SECRET_KEY``.
    secret_encrypted: Mapped[bytes] = mapped_column(LargeBinary)
    enabled: Mapped[bool] = mapped_column(Boolean, default=True)
    #: When the current run of failed attempts began (None after a success).
    failing_since: Mapped[datetime | None]
    #: Why it was disabled by the portal (failing for 24 hours); None when enabled or
    #: disabled by an admin.
    disabled_reason: Mapped[str | None] = mapped_column(String(300))
    created_by_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL")
    )
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class WebhookDelivery(HasId, Base):
    """One event for one endpoint, written in the transaction of the change (outbox).

    ``body`` is fixed when the row is written: every attempt POSTs the same bytes under the
    same ``webhook-id`` (the row's id), so a receiver can recognise a repeat.
    """

    __tablename__ = "webhook_deliveries"

    endpoint_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("webhook_endpoints.id", ondelete="CASCADE")
    )
    event: Mapped[str] = mapped_column(String(40))
    subject_type: Mapped[str] = mapped_column(String(48))
    subject_key: Mapped[uuid.UUID]
    body: Mapped[str] = mapped_column(Text)
    #: PENDING, DELIVERED or FAILED.
    status: Mapped[str] = mapped_column(String(16), default="PENDING")
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime | None]
    claimed_until: Mapped[datetime | None]
    last_attempt_at: Mapped[datetime | None]
    last_response_status: Mapped[int | None]
    last_error: Mapped[str | None] = mapped_column(String(500))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    delivered_at: Mapped[datetime | None]

    __table_args__ = (
        Index("ix_webhook_deliveries_endpoint_created", "endpoint_id", "created_at"),
        Index(
            "ix_webhook_deliveries_pending",
            "created_at",
            sqlite_where=text("status = 'PENDING'"),
            postgresql_where=text("status = 'PENDING'"),
        ),
    )

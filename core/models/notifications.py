"""Notifications shown in the portal, and the outbox of emails waiting to be sent."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import ForeignKey, Index, Integer, String, Text, text
from sqlalchemy.orm import Mapped, mapped_column

from core.models.base import Base, HasId, utcnow


class Notification(HasId, Base):
    __tablename__ = "notifications"

    user_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(32))
    message: Mapped[str] = mapped_column(String(2000))
    #: What it is about: a GraphQL type name and key (becomes ``subjectId``).
    subject_type: Mapped[str | None] = mapped_column(String(48))
    subject_key: Mapped[uuid.UUID | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    read_at: Mapped[datetime | None]
    #: One event notifies many people: their notifications share this id.
    event_id: Mapped[uuid.UUID | None] = mapped_column(index=True)

    __table_args__ = (
        Index("ix_notifications_user_created", "user_id", "created_at"),
        Index(
            "ix_notifications_user_unread",
            "user_id",
            sqlite_where=text("read_at IS NULL"),
            postgresql_where=text("read_at IS NULL"),
        ),
    )


class OutboxEmail(HasId, Base):
    """An email written in the same transaction as the change it reports.

    A worker claims due rows, sends them over SMTP and marks them sent. ``message_id`` is
    stable, so a message re-sent after a crash between the SMTP server's acceptance and the
    commit can be recognised as the same one.
    """

    __tablename__ = "outbox_emails"

    recipient: Mapped[str] = mapped_column(String(320))
    subject: Mapped[str] = mapped_column(String(300))
    body: Mapped[str] = mapped_column(Text)
    message_id: Mapped[str] = mapped_column(String(200), unique=True)
    kind: Mapped[str] = mapped_column(String(32))
    user_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    notification_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("notifications.id", ondelete="SET NULL")
    )
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    #: Not before this time (retries back off); None means now.
    next_attempt_at: Mapped[datetime | None]
    #: A worker holds the row until then; after that another may take it over.
    claimed_until: Mapped[datetime | None]
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    last_error: Mapped[str | None] = mapped_column(String(2000))
    sent_at: Mapped[datetime | None]

    __table_args__ = (
        Index(
            "ix_outbox_emails_pending",
            "created_at",
            sqlite_where=text("sent_at IS NULL"),
            postgresql_where=text("sent_at IS NULL"),
        ),
    )

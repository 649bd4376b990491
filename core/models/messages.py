"""Messages between a local authority and a provider about a referral, and who read them.

One thread per referral and provider. Messages are numbered within their thread (``seq``,
claimed by incrementing ``MessageThread.last_seq`` under the thread's row lock), so a
person's read mark is a number: every message of the other side numbered above it is new to
that person. Numbers (unlike timestamps) follow commit order, so marking a thread read never
swallows a message that was being sent at the same moment.
"""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import ForeignKey, Integer, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from core.models.base import Base, HasId, utcnow


class MessageThread(HasId, Base):
    __tablename__ = "message_threads"

    referral_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("referrals.id", ondelete="CASCADE"))
    provider_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("organisations.id", ondelete="CASCADE"), index=True
    )
    #: The number of the last message sent (0 before the first).
    last_seq: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    __table_args__ = (UniqueConstraint("referral_id", "provider_id"),)


class Message(HasId, Base):
    __tablename__ = "messages"

    thread_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("message_threads.id", ondelete="CASCADE")
    )
    #: 1, 2, 3, ... within the thread: the order messages were sent in.
    seq: Mapped[int] = mapped_column(Integer)
    #: The person who wrote it (for an LA's API token: the person who created the token).
    author_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    #: The side it came from: the LA or the provider of the thread.
    author_organisation_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("organisations.id", ondelete="CASCADE")
    )
    #: Set when an LA's case-management system sent it.
    api_token_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("api_tokens.id", ondelete="SET NULL")
    )
    body: Mapped[str] = mapped_column(Text)
    sent_at: Mapped[datetime] = mapped_column(default=utcnow)

    __table_args__ = (UniqueConstraint("thread_id", "seq"),)


class MessageDocument(Base):
    """A document attached to a message (one of the author organisation's own)."""

    __tablename__ = "message_documents"

    message_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("messages.id", ondelete="CASCADE"), primary_key=True
    )
    document_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("documents.id", ondelete="CASCADE"), primary_key=True, index=True
    )
    position: Mapped[int] = mapped_column(Integer, default=0)


class MessageThreadRead(Base):
    """How far one person has read a thread: messages numbered up to ``read_seq``."""

    __tablename__ = "message_thread_reads"

    thread_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("message_threads.id", ondelete="CASCADE"), primary_key=True
    )
    user_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    read_seq: Mapped[int] = mapped_column(Integer, default=0)
    read_at: Mapped[datetime] = mapped_column(default=utcnow)

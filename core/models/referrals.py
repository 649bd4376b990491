"""Referrals, what each provider received (deliveries), and why (matched homes)."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Any

from sqlalchemy import ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from core.models.base import Base, HasId, utcnow


class Referral(HasId, Base):
    """An LA's request for a placement for one child or a sibling group. No names."""

    __tablename__ = "referrals"

    local_authority_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("organisations.id", ondelete="CASCADE")
    )
    #: Human-readable and unique, e.g. BIR-2026-000042.
    reference: Mapped[str] = mapped_column(String(32), unique=True)
    category: Mapped[str] = mapped_column(String(64))
    status: Mapped[str] = mapped_column(String(16), default="DRAFT")
    urgency: Mapped[str] = mapped_column(String(16))
    version: Mapped[int] = mapped_column(Integer, default=1)
    #: ``[{"age": 15, "gender": "FEMALE", "needs": "..."}]``
    children: Mapped[list[dict[str, Any]]] = mapped_column()
    summary: Mapped[str] = mapped_column(Text)
    postcode: Mapped[str | None] = mapped_column(String(10))
    required_from: Mapped[date | None]
    details: Mapped[dict[str, Any]] = mapped_column(default=dict)
    created_by_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL")
    )
    created_by_api_token_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("api_tokens.id", ondelete="SET NULL")
    )
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
    sent_at: Mapped[datetime | None]
    withdrawn_at: Mapped[datetime | None]
    withdraw_reason: Mapped[str | None] = mapped_column(String(2000))
    #: Set when the retention period purged its personal data (only statistics remain).
    purged_at: Mapped[datetime | None]
    #: The first send: where its figures (time to first offer, referrals per week) start.
    first_sent_at: Mapped[datetime | None]
    #: When providers are asked to respond by; set at the first send from the LA's hours.
    respond_by: Mapped[datetime | None]
    #: When the LA was told who had not responded by ``respond_by`` (once per deadline).
    deadline_reported_at: Mapped[datetime | None]

    __table_args__ = (
        Index("ix_referrals_la_created", "local_authority_id", "created_at"),
        # Statistics: referrals first sent in a period.
        Index("ix_referrals_first_sent_at", "first_sent_at"),
    )


class ReferralVersion(Base):
    """The content of a referral as it was sent: what providers received."""

    __tablename__ = "referral_versions"

    referral_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("referrals.id", ondelete="CASCADE"), primary_key=True
    )
    version: Mapped[int] = mapped_column(Integer, primary_key=True)
    content: Mapped[dict[str, Any]]
    sent_at: Mapped[datetime] = mapped_column(default=utcnow)


class ReferralDocument(Base):
    """An LA's own referral form attached to a referral."""

    __tablename__ = "referral_documents"

    referral_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("referrals.id", ondelete="CASCADE"), primary_key=True
    )
    document_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("documents.id", ondelete="CASCADE"), primary_key=True, index=True
    )
    position: Mapped[int] = mapped_column(Integer, default=0)


class ReferralDelivery(HasId, Base):
    """One provider's receipt of a referral: the version it has and what it did with it."""

    __tablename__ = "referral_deliveries"

    referral_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("referrals.id", ondelete="CASCADE"))
    provider_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("organisations.id", ondelete="CASCADE")
    )
    status: Mapped[str] = mapped_column(String(16), default="NEW")
    version: Mapped[int] = mapped_column(Integer)
    delivered_at: Mapped[datetime] = mapped_column(default=utcnow)
    declined_at: Mapped[datetime | None]
    decline_reason: Mapped[str | None] = mapped_column(String(2000))
    #: A ``DeclineReasonCode`` (OTHER when the caller gave none).
    decline_reason_code: Mapped[str | None] = mapped_column(String(32))
    #: The provider's first response to the delivered version: an offer, a decline or a message.
    responded_at: Mapped[datetime | None]
    #: When the provider was reminded of the referral's ``respond_by`` (once per deadline).
    deadline_reminded_at: Mapped[datetime | None]
    #: When someone of the provider's case staff first opened the delivered version (its page,
    #: or ``node``); None while nobody has: the list's "New" tag. A new version clears it.
    opened_at: Mapped[datetime | None]

    __table_args__ = (
        UniqueConstraint("referral_id", "provider_id"),
        # A provider's referrals, newest delivery first.
        Index("ix_referral_deliveries_provider", "provider_id", "referral_id"),
    )


class DeliveryHome(Base):
    """A home of the provider that matched the delivered version: why it was delivered."""

    __tablename__ = "delivery_homes"

    delivery_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("referral_deliveries.id", ondelete="CASCADE"), primary_key=True
    )
    home_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("homes.id", ondelete="CASCADE"), primary_key=True
    )


class ReferralSequence(Base):
    """The last reference number used by an LA in a year (claimed atomically)."""

    __tablename__ = "referral_sequences"

    local_authority_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("organisations.id", ondelete="CASCADE"), primary_key=True
    )
    year: Mapped[int] = mapped_column(Integer, primary_key=True)
    last_value: Mapped[int] = mapped_column(Integer, default=0)

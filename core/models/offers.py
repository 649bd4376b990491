"""Offers made by providers on referrals, and the fostering families saved for auto-fill."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Any

from sqlalchemy import Boolean, ForeignKey, Index, Integer, String, text
from sqlalchemy.orm import Mapped, mapped_column

from core.models.base import Base, HasId, utcnow

#: An offer that still counts: at most one per provider per referral (a partial unique index).
LIVE_OFFER_STATUSES = ("SUBMITTED", "ACCEPTED")


class Offer(HasId, Base):
    """One home (for fostering, one family) offered for a referral at a weekly core fee.

    Money is kept in pence (integers): exact on every database.
    """

    __tablename__ = "offers"

    referral_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("referrals.id", ondelete="CASCADE"))
    provider_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("organisations.id", ondelete="CASCADE"), index=True
    )
    home_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("homes.id"))
    status: Mapped[str] = mapped_column(String(16), default="SUBMITTED")
    version: Mapped[int] = mapped_column(Integer, default=1)
    core_fee_pence: Mapped[int] = mapped_column(Integer)
    #: ``[{"description": ..., "amountPence": 1250, "frequency": "WEEKLY"}]``
    additional_costs: Mapped[list[dict[str, Any]]] = mapped_column(default=list)
    start_date: Mapped[date | None]
    details: Mapped[dict[str, Any]] = mapped_column(default=dict)
    fostering_family_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("fostering_families.id", ondelete="SET NULL")
    )
    supersedes_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("offers.id"))
    submitted_by_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL")
    )
    submitted_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
    decided_at: Mapped[datetime | None]
    decided_by_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL")
    )
    #: The LA's system that decided, when it was an API token (no foreign key: see 0009).
    decided_by_api_token_id: Mapped[uuid.UUID | None]
    decline_reason: Mapped[str | None] = mapped_column(String(2000))
    #: A ``DeclineReasonCode`` (OTHER when the LA gave none).
    decline_reason_code: Mapped[str | None] = mapped_column(String(32))
    #: Whether the home had a declared, current vacancy when the offer was made.
    home_had_vacancy: Mapped[bool | None] = mapped_column(Boolean)

    __table_args__ = (
        Index("ix_offers_referral", "referral_id", "submitted_at"),
        Index(
            # One SUBMITTED and one ACCEPTED offer at most per provider and referral: a
            # revision waits beside the accepted offer it revises (migration 0010).
            "uq_offers_live_per_provider",
            "referral_id",
            "provider_id",
            "status",
            unique=True,
            sqlite_where=text("status IN ('SUBMITTED', 'ACCEPTED')"),
            postgresql_where=text("status IN ('SUBMITTED', 'ACCEPTED')"),
        ),
    )


class OfferDocument(Base):
    """A document attached to an offer: the compulsory ones as they were at submission."""

    __tablename__ = "offer_documents"

    offer_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("offers.id", ondelete="CASCADE"), primary_key=True
    )
    document_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("documents.id"), primary_key=True, index=True
    )
    compulsory: Mapped[bool] = mapped_column(Boolean, default=False)
    position: Mapped[int] = mapped_column(Integer, default=0)


class FosteringFamily(HasId, Base):
    """A fostering household's details, saved from offers and offered back as auto-fill."""

    __tablename__ = "fostering_families"

    provider_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("organisations.id", ondelete="CASCADE"), index=True
    )
    label: Mapped[str] = mapped_column(String(200))
    details: Mapped[dict[str, Any]] = mapped_column(default=dict)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_used_at: Mapped[datetime | None]

"""Individual Placement Agreements: drawn from an accepted offer, frozen, signed by both sides."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey, Index, Integer, String, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column

from core.models.base import Base, HasId, utcnow


class Ipa(HasId, Base):
    __tablename__ = "ipas"

    referral_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("referrals.id", ondelete="CASCADE"))
    offer_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("offers.id"), index=True)
    status: Mapped[str] = mapped_column(String(24), default="DRAFT")
    #: Filled from the offer and the referral, plus the LA's draft fields.
    terms: Mapped[dict[str, Any]] = mapped_column(default=dict)
    #: SHA-256 of the RFC 8785 serialisation of the terms and the attached documents' hashes,
    #: set when frozen (core/ipas/terms.py).
    content_hash: Mapped[str | None] = mapped_column(String(64))
    #: The rule content_hash was made by: RFC8785, or LEGACY_JSON for some IPAs frozen before
    #: migration 0010 (see there).
    content_hash_rule: Mapped[str] = mapped_column(
        String(16), default="RFC8785", server_default="RFC8785"
    )
    created_by_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL")
    )
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    enabled_at: Mapped[datetime | None]
    signed_at: Mapped[datetime | None]
    superseded_at: Mapped[datetime | None]

    __table_args__ = (
        Index(
            "uq_ipas_live_per_referral",
            "referral_id",
            unique=True,
            sqlite_where=text("status IN ('DRAFT', 'READY_FOR_SIGNING', 'SIGNED')"),
            postgresql_where=text("status IN ('DRAFT', 'READY_FOR_SIGNING', 'SIGNED')"),
        ),
    )


class IpaDocument(Base):
    __tablename__ = "ipa_documents"

    ipa_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("ipas.id", ondelete="CASCADE"), primary_key=True
    )
    document_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("documents.id"), primary_key=True, index=True
    )
    position: Mapped[int] = mapped_column(Integer, default=0)


class IpaSignature(HasId, Base):
    """One side's signature: who signed, on whose behalf, what (the hash) and when."""

    __tablename__ = "ipa_signatures"

    ipa_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("ipas.id", ondelete="CASCADE"))
    party: Mapped[str] = mapped_column(String(24))
    signed_by_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id"))
    on_behalf_of_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id"))
    content_hash: Mapped[str] = mapped_column(String(64))
    signed_at: Mapped[datetime] = mapped_column(default=utcnow)

    __table_args__ = (UniqueConstraint("ipa_id", "party"),)

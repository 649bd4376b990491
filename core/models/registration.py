"""Documents, provider registrations and the homes they register."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Any

from sqlalchemy import Boolean, ForeignKey, Index, Integer, String, text
from sqlalchemy.orm import Mapped, mapped_column

from core.models.base import Base, HasId, utcnow


class Document(HasId, Base):
    """An uploaded file. Never overwritten: a new upload is a new document.

    The bytes live in the document store under ``storage_key`` (content-addressed by sha256).
    """

    __tablename__ = "documents"

    organisation_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("organisations.id", ondelete="CASCADE")
    )
    kind: Mapped[str] = mapped_column(String(32))
    name: Mapped[str] = mapped_column(String(255))
    content_type: Mapped[str] = mapped_column(String(128))
    size: Mapped[int] = mapped_column(Integer)
    sha256: Mapped[str] = mapped_column(String(64))
    storage_key: Mapped[str] = mapped_column(String(255))
    expires_on: Mapped[date | None]
    uploaded_by_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL")
    )
    uploaded_at: Mapped[datetime] = mapped_column(default=utcnow)

    __table_args__ = (
        Index("ix_documents_organisation_kind", "organisation_id", "kind", "uploaded_at"),
        Index("ix_documents_expires_on", "expires_on"),
    )


class ProviderRegistration(HasId, Base):
    """A provider's registration: its spreadsheet, its homes and the managing LA's decision."""

    __tablename__ = "provider_registrations"

    organisation_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("organisations.id", ondelete="CASCADE"), unique=True
    )
    status: Mapped[str] = mapped_column(String(24), default="NOT_SUBMITTED", index=True)
    spreadsheet_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("documents.id", ondelete="SET NULL")
    )
    #: The Organisation sheet as submitted (contact, Companies House number, ...).
    details: Mapped[dict[str, Any]] = mapped_column(default=dict)
    submitted_at: Mapped[datetime | None]
    decided_at: Mapped[datetime | None]
    decided_by_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL")
    )
    decision_reason: Mapped[str | None] = mapped_column(String(2000))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class Home(HasId, Base):
    """A home (or, for fostering, a household) of a provider's registration.

    Replaced homes are retired, never deleted: offers and IPAs keep pointing at the home
    they were made for.
    """

    __tablename__ = "homes"

    registration_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("provider_registrations.id", ondelete="CASCADE"), index=True
    )
    provider_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("organisations.id", ondelete="CASCADE"), index=True
    )
    name: Mapped[str] = mapped_column(String(200))
    category: Mapped[str] = mapped_column(String(64))
    min_age: Mapped[int] = mapped_column(Integer)
    max_age: Mapped[int] = mapped_column(Integer)
    accepts_female: Mapped[bool] = mapped_column(Boolean)
    accepts_male: Mapped[bool] = mapped_column(Boolean)
    accepts_other: Mapped[bool] = mapped_column(Boolean)
    beds: Mapped[int] = mapped_column(Integer)
    postcode: Mapped[str] = mapped_column(String(10))
    local_authority_area: Mapped[str | None] = mapped_column(String(200))
    ofsted_urn: Mapped[str | None] = mapped_column(String(10))
    contract_type: Mapped[str] = mapped_column(String(16))
    #: The spreadsheet row it came from.
    row_number: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    retired_at: Mapped[datetime | None]
    #: The provider's vacancy declaration (None: never declared): beds free from a date
    #: (None: now), and when it was last confirmed; older than the confirmation period, it
    #: counts as unknown (core/vacancies).
    vacancy_beds_free: Mapped[int | None] = mapped_column(Integer)
    vacancy_available_from: Mapped[date | None]
    vacancy_confirmed_at: Mapped[datetime | None]
    #: When the provider's admins were last asked to confirm a stale declaration.
    vacancy_reminded_at: Mapped[datetime | None]

    __table_args__ = (
        # Matching: the live homes of a category by age range.
        Index(
            "ix_homes_matching",
            "category",
            "min_age",
            "max_age",
            sqlite_where=text("retired_at IS NULL"),
            postgresql_where=text("retired_at IS NULL"),
        ),
    )

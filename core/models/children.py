"""Children's data: the access log (append-only) and the data exports made for subject access."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import BigInteger, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from core.models.base import Base, HasId, utcnow


class AccessLogEntry(Base):
    """One read of a child's information. The database refuses UPDATE and DELETE (0010).

    Plain id columns, no foreign keys: nothing may cascade into an append-only table, and a
    row must outlive the user, token or referral it names. The key is a number the database
    gives (SQLite's rowid): a busy list writes thousands of rows a second, and a random key
    would be one more index to insert each into at a random place.
    """

    __tablename__ = "access_log"

    id: Mapped[int] = mapped_column(
        BigInteger().with_variant(Integer(), "sqlite"), primary_key=True, autoincrement=True
    )
    at: Mapped[datetime] = mapped_column(default=utcnow)
    user_id: Mapped[uuid.UUID | None]
    api_token_id: Mapped[uuid.UUID | None]
    organisation_id: Mapped[uuid.UUID]
    referral_id: Mapped[uuid.UUID]
    #: REFERRAL, DOCUMENT, MESSAGE_THREAD, OFFER or IPA.
    subject_type: Mapped[str] = mapped_column(String(16))
    subject_id: Mapped[uuid.UUID]
    version: Mapped[int | None] = mapped_column(Integer)
    #: API, WEB, DOWNLOAD, PRINT or EXPORT.
    channel: Mapped[str] = mapped_column(String(16))
    client_address: Mapped[str | None] = mapped_column(String(64))

    #: The one index: a referral's reads, newest first (a provider's are filtered from them).
    __table_args__ = (Index("ix_access_log_referral", "referral_id", "id"),)


class DataExport(HasId, Base):
    """A zip of everything held about a referral or an organisation, made by a worker."""

    __tablename__ = "data_exports"

    requested_by_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), index=True
    )
    #: Exactly one of the two.
    referral_id: Mapped[uuid.UUID | None]
    subject_organisation_id: Mapped[uuid.UUID | None]
    #: PENDING, READY or FAILED.
    status: Mapped[str] = mapped_column(String(16), default="PENDING")
    #: The encrypted zip in the store (``exports/<id>``), when READY.
    storage_key: Mapped[str | None] = mapped_column(String(128))
    error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    finished_at: Mapped[datetime | None]

"""What periodic sweeps have done, so that doing it twice is refused by the database."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from core.models.base import Base, HasId, utcnow


class SweepMark(HasId, Base):
    """One once-only act of a sweep: ``(kind, key)`` is unique.

    A sweep inserts the mark in the same unit of work as the notifications it writes, and
    writes them only if the insert added a row; two sweeps running at once (two schedulers
    started by mistake, a doubled tick) therefore notify once. Keys by kind:
    ``DOCUMENT_EXPIRING``: the document id; ``REMINDER``: ``<user id>:<date>``.
    """

    __tablename__ = "sweep_marks"

    kind: Mapped[str] = mapped_column(String(32))
    key: Mapped[str] = mapped_column(String(120))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    __table_args__ = (UniqueConstraint("kind", "key", name="uq_sweep_marks_kind_key"),)

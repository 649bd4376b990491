"""Settings of a care category as configured by its category lead."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column

from core.models.base import Base, utcnow


class CategorySettings(Base):
    """The category lead's settings for one category; absent means the plugin's defaults."""

    __tablename__ = "category_settings"

    category: Mapped[str] = mapped_column(String(64), primary_key=True)
    settings: Mapped[dict[str, Any]]
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
    updated_by_id: Mapped[uuid.UUID | None]

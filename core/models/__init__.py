"""SQLAlchemy models. Import every model module here so Alembic sees the whole metadata."""

from core.models.base import Base
from core.models.categories import CategorySettings

__all__ = ["Base", "CategorySettings"]

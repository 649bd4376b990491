"""Reading (and, for category leads, changing) the settings of each care category."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from core.db import Database
from core.errors import InvalidInput, invalid
from core.identity.viewer import Viewer
from core.models import CategorySettings
from core.models.base import utcnow
from core.plugins.registry import CategoryRegistry


async def effective_settings(
    session: AsyncSession, registry: CategoryRegistry
) -> dict[str, dict[str, Any]]:
    """Every category's settings: the plugin's defaults with the lead's stored values over them."""
    stored = {
        row.category: row.settings for row in (await session.scalars(select(CategorySettings)))
    }
    return {
        value: registry.effective_settings(value, stored.get(value)) for value in registry.values()
    }


async def update_category_settings(
    db: Database, registry: CategoryRegistry, viewer: Viewer, *, category: str, settings: Any
) -> dict[str, Any]:
    """The category lead's new settings (merged over the plugin's defaults), validated against
    the plugin's settings schema; the next referral sent uses them."""
    if not isinstance(settings, dict):
        raise InvalidInput("Settings must be a JSON object.", field=("input", "settings"))
    merged = registry.effective_settings(category, settings)
    problems = registry.settings_problems(category, merged)
    if problems:
        raise invalid(problems)
    async with db.transaction() as session:
        row = await session.get(CategorySettings, category, with_for_update=True)
        if row is None:
            session.add(
                CategorySettings(category=category, settings=merged, updated_by_id=viewer.user_id)
            )
        else:
            row.settings = merged
            row.updated_by_id = viewer.user_id
            row.updated_at = utcnow()
    return merged

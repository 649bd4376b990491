"""Reading (and, for category leads, changing) the settings of each care category."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from core.models import CategorySettings
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

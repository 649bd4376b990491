"""Query fields of the categories domain."""

from __future__ import annotations

import strawberry

from core.categories.service import effective_settings
from schema.categories.types import CategoryDefinition
from schema.context import Info


@strawberry.type
class CategoryQueries:
    @strawberry.field(description="The installed care categories, with their current settings.")
    async def categories(self, info: Info) -> list[CategoryDefinition]:
        registry = info.context.registry
        async with info.context.read() as session:
            settings = await effective_settings(session, registry)
        return [CategoryDefinition.of(c, settings[c.value]) for c in registry.all()]

"""``updateCategorySettings``: a category lead changes how a category matches."""

from __future__ import annotations

from typing import Any

import strawberry
from strawberry.scalars import JSON

from core.categories.service import update_category_settings
from core.identity.viewer import Viewer
from schema.categories.types import CategoryDefinition
from schema.context import Info
from schema.enums import CareCategory
from schema.errors import UserError, mutate


@strawberry.input
class UpdateCategorySettingsInput:
    category: CareCategory
    settings: JSON


@strawberry.type
class CategoryPayload:
    user_errors: list[UserError]
    category: CategoryDefinition | None = None


@strawberry.type
class CategoryMutations:
    @strawberry.mutation
    async def update_category_settings(
        self, info: Info, input: UpdateCategorySettingsInput
    ) -> CategoryPayload:
        ctx = info.context

        async def act(viewer: Viewer) -> dict[str, Any]:
            settings = await update_category_settings(
                ctx.db, ctx.registry, viewer, category=str(input.category), settings=input.settings
            )
            definition = CategoryDefinition.of(ctx.registry.get(str(input.category)), settings)
            return {"category": definition}

        return await mutate(info, "updateCategorySettings", CategoryPayload, act)

"""``updateCategorySettings``: a category lead changes how a category matches."""

from __future__ import annotations

import strawberry
from strawberry.scalars import JSON

from core.categories.service import update_category_settings
from schema.categories.types import CategoryDefinition
from schema.context import Info
from schema.enums import CareCategory
from schema.errors import USER_ERRORS, UserError
from schema.mutation import mutation, signed_in


@strawberry.input
class UpdateCategorySettingsInput:
    category: CareCategory
    settings: JSON


@strawberry.type
class CategoryPayload:
    user_errors: list[UserError] = USER_ERRORS
    category: CategoryDefinition | None = None


@strawberry.type
class CategoryMutations:
    @mutation
    async def update_category_settings(
        self, info: Info, input: UpdateCategorySettingsInput
    ) -> CategoryPayload:
        ctx, category = info.context, str(input.category)
        settings = await update_category_settings(
            ctx.db, ctx.registry, signed_in(info), category=category, settings=input.settings
        )
        return CategoryPayload(category=CategoryDefinition.of(ctx.registry.get(category), settings))

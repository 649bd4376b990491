"""``CategoryDefinition``: what an installed category plugin declares, plus its settings."""

from __future__ import annotations

from typing import Any

import strawberry
from strawberry.scalars import JSON

from core.plugins.registry import Category
from schema.documents.enums import DocumentKind
from schema.enums import CareCategory
from schema.json import as_json


@strawberry.type
class CategoryDefinition:
    category: CareCategory
    label: str
    min_age: int
    max_age: int
    referral_details_schema: JSON = strawberry.field(
        description="JSON Schema of Referral.details for this category."
    )
    offer_details_schema: JSON = strawberry.field(
        description="JSON Schema of Offer.details for this category."
    )
    required_offer_documents: list[DocumentKind] = strawberry.field(
        description="Documents that are attached to every offer from the provider's profile."
    )
    settings: JSON = strawberry.field(
        description="Current settings, as configured by the category lead."
    )

    @classmethod
    def of(cls, category: Category, settings: dict[str, Any]) -> CategoryDefinition:
        d = category.declaration
        return cls(
            category=CareCategory(d.value),
            label=d.label,
            min_age=d.min_age,
            max_age=d.max_age,
            referral_details_schema=as_json(d.referral_details_schema),
            offer_details_schema=as_json(d.offer_details_schema),
            required_offer_documents=[DocumentKind(k) for k in d.required_offer_documents],
            settings=as_json(settings),
        )

"""``fosteringFamilies``: a fostering provider's saved households, for auto-fill."""

from __future__ import annotations

import strawberry

from core.access import may_query
from core.offers import queries
from schema.context import Info
from schema.offers.types import FosteringFamily


@strawberry.type
class OfferQueries:
    @strawberry.field(
        description="The viewing provider's saved fostering families, most recently used "
        "first; search matches the label, in any case."
    )
    async def fostering_families(
        self, info: Info, search: str | None = None
    ) -> list[FosteringFamily]:
        viewer = info.context.viewer
        if viewer is None or not may_query(viewer, "fosteringFamilies"):
            return []
        async with info.context.read() as session:
            rows = await queries.fostering_families(session, viewer, search)
        return [FosteringFamily.of(r) for r in rows]

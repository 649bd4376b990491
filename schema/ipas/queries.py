"""``ipas``: staff see their organisation's IPAs; signatories those put before them."""

from __future__ import annotations

import strawberry

from core.access import may_query
from core.ipas import queries
from schema.context import Info
from schema.ipas.types import IndividualPlacementAgreement, IpaStatus


@strawberry.type
class IpaQueries:
    @strawberry.field(
        description="IPAs the viewer may see; signatories see those awaiting their signature."
    )
    async def ipas(
        self, info: Info, status: IpaStatus | None = None
    ) -> list[IndividualPlacementAgreement]:
        viewer = info.context.viewer
        if viewer is None or not may_query(viewer, "ipas"):
            return []
        async with info.context.read() as session:
            rows = await queries.visible_ipas(
                session, viewer, status=status.value if status else None
            )
        return [IndividualPlacementAgreement.of_row(row) for row in rows]

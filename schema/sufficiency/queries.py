"""``placementStatistics``: the sufficiency figures."""

from __future__ import annotations

import strawberry
from graphql import GraphQLError

from core import statistics
from core.access import may_query
from core.errors import DomainError, Forbidden
from schema.context import Info
from schema.node import decode_id
from schema.sufficiency.types import PlacementStatistics, PlacementStatisticsFilter


@strawberry.type
class SufficiencyQueries:
    @strawberry.field(
        description="LA staff: their LA; platform admins: any LA or the region; providers: "
        "their own figures."
    )
    async def placement_statistics(
        self, info: Info, filter: PlacementStatisticsFilter | None = None
    ) -> PlacementStatistics:
        try:
            return await _statistics(info, filter or PlacementStatisticsFilter())
        except DomainError as error:  # a fault of the client: a top-level error with its code
            raise GraphQLError(error.message, extensions={"code": error.code}) from None


async def _statistics(info: Info, f: PlacementStatisticsFilter) -> PlacementStatistics:
    viewer = info.context.viewer
    if viewer is None or not may_query(viewer, "placementStatistics"):
        raise Forbidden("Sign in as local authority, provider or platform staff.")
    asked = statistics.Scope(
        sent_from=f.from_,
        sent_to=f.to,
        local_authority_id=decode_id(
            f.local_authority_id, "Organisation", field=("filter", "localAuthorityId")
        )
        if f.local_authority_id
        else None,
        provider_id=decode_id(f.provider_id, "Organisation", field=("filter", "providerId"))
        if f.provider_id
        else None,
        category=str(f.category) if f.category else None,
        urgency=f.urgency.value if f.urgency else None,
    )
    scope = statistics.scope_for(viewer, asked)
    async with info.context.read() as session:
        figures = await statistics.placement_statistics(session, scope)
    return PlacementStatistics.of(figures)

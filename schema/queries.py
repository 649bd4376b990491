"""Root query fields that belong to no single domain."""

from __future__ import annotations

import strawberry

from schema.context import Info
from schema.node import Node, resolve_node


@strawberry.type
class NodeQueries:
    @strawberry.field(
        description="Any object by its global id, or null if the viewer may not see it."
    )
    async def node(self, info: Info, id: strawberry.ID) -> Node | None:
        return await resolve_node(info, id)  # type: ignore[return-value]  # any Node type

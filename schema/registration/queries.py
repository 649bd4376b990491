"""Root query fields of the registration domain."""

from __future__ import annotations

import strawberry

from core.access import may_query
from core.registration import queries
from schema.context import Info
from schema.registration.types import ProviderRegistration, RegistrationStatus


@strawberry.type
class RegistrationQueries:
    @strawberry.field(
        description="Registrations the viewer may review (LA admins: those they manage; "
        "platform admins: all)."
    )
    async def registrations(
        self, info: Info, status: RegistrationStatus | None = None
    ) -> list[ProviderRegistration]:
        viewer = info.context.viewer
        if viewer is None or not may_query(viewer, "registrations"):
            return []
        async with info.context.read() as session:
            rows = await queries.registrations_for(
                session, viewer, status.value if status else None
            )
        return [ProviderRegistration.of(r) for r in rows]

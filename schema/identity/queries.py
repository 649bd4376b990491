"""Root query fields of the identity domain."""

from __future__ import annotations

import strawberry

from core.access import may_query
from core.identity import queries
from core.identity.api_tokens import api_tokens_of
from schema.context import Info
from schema.identity.types import AccountRequest, ApiToken, Organisation, OrganisationKind, User


@strawberry.type
class IdentityQueries:
    @strawberry.field(description="The signed-in person; null for nobody and for API tokens.")
    async def viewer(self, info: Info) -> User | None:
        viewer = info.context.viewer
        if viewer is None or viewer.user_id is None:
            return None
        row = await info.context.loaders.user_by_id.load(viewer.user_id)
        return User.of(row) if row else None

    @strawberry.field
    async def organisations(
        self, info: Info, kind: OrganisationKind | None = None
    ) -> list[Organisation]:
        viewer = info.context.viewer
        if viewer is None or not may_query(viewer, "organisations"):
            return []
        async with info.context.read() as session:
            rows = await queries.organisations_for(session, viewer, kind.value if kind else None)
        return [Organisation.of(r) for r in rows]

    @strawberry.field
    async def account_requests(self, info: Info) -> list[AccountRequest]:
        viewer = info.context.viewer
        if viewer is None or not may_query(viewer, "accountRequests"):
            return []
        async with info.context.read() as session:
            rows = await queries.account_requests_for(session, viewer)
        return [AccountRequest.of(r) for r in rows]

    @strawberry.field(description="Admins of an LA: its API tokens (never their secrets).")
    async def api_tokens(self, info: Info) -> list[ApiToken]:
        viewer = info.context.viewer
        if viewer is None or not may_query(viewer, "apiTokens"):
            return []
        return [ApiToken.of(r) for r in await api_tokens_of(info.context.db, viewer)]

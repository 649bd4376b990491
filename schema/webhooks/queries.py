"""``webhookEndpoints``: an LA admin's own LA's endpoints."""

from __future__ import annotations

import strawberry

from core.access import may_query
from core.webhooks import queries
from schema.context import Info
from schema.webhooks.types import WebhookEndpoint


@strawberry.type
class WebhookQueries:
    @strawberry.field(description="LA admins: their LA's endpoints.")
    async def webhook_endpoints(self, info: Info) -> list[WebhookEndpoint]:
        viewer = info.context.viewer
        if viewer is None or not may_query(viewer, "webhookEndpoints"):
            return []
        async with info.context.read() as session:
            rows = await queries.endpoints_for(session, viewer)
        return [WebhookEndpoint.of(r) for r in rows]

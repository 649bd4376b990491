"""``WebhookEndpoint`` and ``WebhookDelivery`` as LA admins see them (their own LA's only)."""

from __future__ import annotations

import uuid
from datetime import datetime

import strawberry

from core.identity.roles import Role
from core.models import WebhookDelivery as DeliveryRow
from core.models import WebhookEndpoint as EndpointRow
from core.webhooks import queries
from core.webhooks.events import WebhookEvent as _WebhookEvent
from schema.context import Info
from schema.node import Node, encode_id
from schema.pagination import PageInfo, decode_cursor, encode_cursor

WebhookEvent = _WebhookEvent


@strawberry.type
class WebhookDelivery(Node):
    event: WebhookEvent
    subject_id: strawberry.ID
    status: str = strawberry.field(description="PENDING, DELIVERED or FAILED.")
    attempts: int
    last_attempt_at: datetime | None
    last_response_status: int | None
    last_error: str | None
    created_at: datetime

    @classmethod
    def of(cls, row: DeliveryRow) -> WebhookDelivery:
        return cls(
            id=encode_id("WebhookDelivery", row.id),
            event=WebhookEvent(row.event),
            subject_id=encode_id(row.subject_type, row.subject_key),
            status=row.status,
            attempts=row.attempts,
            last_attempt_at=row.last_attempt_at,
            last_response_status=row.last_response_status,
            last_error=row.last_error,
            created_at=row.created_at,
        )


@strawberry.type
class WebhookDeliveryEdge:
    cursor: str
    node: WebhookDelivery


@strawberry.type
class WebhookDeliveryConnection:
    edges: list[WebhookDeliveryEdge]
    page_info: PageInfo
    total_count: int


@strawberry.type
class WebhookEndpoint(Node):
    key: strawberry.Private[uuid.UUID]
    url: str
    events: list[WebhookEvent]
    enabled: bool
    created_at: datetime

    @classmethod
    def of(cls, row: EndpointRow) -> WebhookEndpoint:
        return cls(
            id=encode_id("WebhookEndpoint", row.id),
            key=row.id,
            url=row.url,
            events=[WebhookEvent(e) for e in row.events or ()],
            enabled=row.enabled,
            created_at=row.created_at,
        )

    @strawberry.field(description="Newest first (at most 100 per page).")
    async def deliveries(
        self, info: Info, first: int | None = 20, after: str | None = None
    ) -> WebhookDeliveryConnection:
        keyset = decode_cursor(after) if after else None
        rows, more, total = await info.context.loaders.get(queries.delivery_pages).load(
            (self.key, 20 if first is None else first, keyset)
        )
        edges = [
            WebhookDeliveryEdge(
                cursor=encode_cursor(r.created_at, r.id), node=WebhookDelivery.of(r)
            )
            for r in rows
        ]
        return WebhookDeliveryConnection(
            edges=edges,
            page_info=PageInfo(
                has_next_page=more,
                has_previous_page=keyset is not None,
                start_cursor=edges[0].cursor if edges else None,
                end_cursor=edges[-1].cursor if edges else None,
            ),
            total_count=total,
        )


def _la_admin_of(info: Info, organisation_id: uuid.UUID) -> bool:
    viewer = info.context.viewer
    return (
        viewer is not None
        and viewer.user_id is not None
        and viewer.has(Role.LA_ADMIN)
        and viewer.organisation_id == organisation_id
    )


async def endpoint_node(info: Info, key: uuid.UUID) -> WebhookEndpoint | None:
    row = await info.context.loaders.get(queries.endpoints_by_ids).load(key)
    if row is None or not _la_admin_of(info, row.organisation_id):
        return None
    return WebhookEndpoint.of(row)


async def delivery_node(info: Info, key: uuid.UUID) -> WebhookDelivery | None:
    found = await info.context.loaders.get(queries.deliveries_by_ids).load(key)
    if found is None or not _la_admin_of(info, found[1]):
        return None
    return WebhookDelivery.of(found[0])

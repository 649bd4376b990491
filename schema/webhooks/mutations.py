"""Webhook mutations: LA admins manage their LA's endpoints (``core/access.py``)."""

from __future__ import annotations

from typing import Any

import strawberry

from core.identity.viewer import Viewer
from core.webhooks import service
from schema.context import Info
from schema.errors import mutate
from schema.node import decode_id
from schema.webhooks.inputs import (
    CreateWebhookEndpointInput,
    CreateWebhookEndpointPayload,
    UpdateWebhookEndpointInput,
    WebhookDeliveryIdInput,
    WebhookDeliveryPayload,
    WebhookEndpointIdInput,
    WebhookEndpointPayload,
)
from schema.webhooks.types import WebhookDelivery, WebhookEndpoint


def _endpoint_id(value: str) -> Any:
    return decode_id(value, "WebhookEndpoint")


@strawberry.type
class WebhookMutations:
    @strawberry.mutation(
        description="Register an endpoint of your LA's system; the secret is shown only here."
    )
    async def create_webhook_endpoint(
        self, info: Info, input: CreateWebhookEndpointInput
    ) -> CreateWebhookEndpointPayload:
        async def act(viewer: Viewer) -> dict[str, Any]:
            made = await service.create_endpoint(
                info.context.db,
                info.context.settings,
                viewer,
                url=input.url,
                events=[e.value for e in input.events],
            )
            return {"endpoint": WebhookEndpoint.of(made.endpoint), "secret": made.secret}

        return await mutate(info, "createWebhookEndpoint", CreateWebhookEndpointPayload, act)

    @strawberry.mutation
    async def update_webhook_endpoint(
        self, info: Info, input: UpdateWebhookEndpointInput
    ) -> WebhookEndpointPayload:
        async def act(viewer: Viewer) -> dict[str, Any]:
            endpoint = await service.update_endpoint(
                info.context.db,
                info.context.settings,
                viewer,
                endpoint_id=_endpoint_id(input.id),
                url=input.url,
                events=[e.value for e in input.events] if input.events is not None else None,
                enabled=input.enabled,
            )
            return {"endpoint": WebhookEndpoint.of(endpoint)}

        return await mutate(info, "updateWebhookEndpoint", WebhookEndpointPayload, act)

    @strawberry.mutation(description="A new signing secret, shown only here; the old one stops.")
    async def rotate_webhook_secret(
        self, info: Info, input: WebhookEndpointIdInput
    ) -> CreateWebhookEndpointPayload:
        async def act(viewer: Viewer) -> dict[str, Any]:
            made = await service.rotate_secret(
                info.context.db, info.context.settings, viewer, endpoint_id=_endpoint_id(input.id)
            )
            return {"endpoint": WebhookEndpoint.of(made.endpoint), "secret": made.secret}

        return await mutate(info, "rotateWebhookSecret", CreateWebhookEndpointPayload, act)

    @strawberry.mutation
    async def delete_webhook_endpoint(
        self, info: Info, input: WebhookEndpointIdInput
    ) -> WebhookEndpointPayload:
        async def act(viewer: Viewer) -> dict[str, Any]:
            endpoint = await service.delete_endpoint(
                info.context.db, viewer, endpoint_id=_endpoint_id(input.id)
            )
            return {"endpoint": WebhookEndpoint.of(endpoint)}

        return await mutate(info, "deleteWebhookEndpoint", WebhookEndpointPayload, act)

    @strawberry.mutation(description="Send a delivery again, at once.")
    async def retry_webhook_delivery(
        self, info: Info, input: WebhookDeliveryIdInput
    ) -> WebhookDeliveryPayload:
        async def act(viewer: Viewer) -> dict[str, Any]:
            delivery = await service.retry_delivery(
                info.context.db, viewer, delivery_id=decode_id(input.id, "WebhookDelivery")
            )
            return {"delivery": WebhookDelivery.of(delivery)}

        return await mutate(info, "retryWebhookDelivery", WebhookDeliveryPayload, act)

"""Webhook mutations: LA admins manage their LA's endpoints (rules: ``core/access.py``)."""

from __future__ import annotations

import strawberry

from core.webhooks import service
from schema.context import Info
from schema.mutation import mutation, signed_in
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


@strawberry.type
class WebhookMutations:
    @mutation(
        description="Register an endpoint of your LA's system; the secret is shown only here."
    )
    async def create_webhook_endpoint(
        self, info: Info, input: CreateWebhookEndpointInput
    ) -> CreateWebhookEndpointPayload:
        ctx = info.context
        made = await service.create_endpoint(
            ctx.db, ctx.settings, signed_in(info), url=input.url, events=list(input.events)
        )
        return CreateWebhookEndpointPayload(
            endpoint=WebhookEndpoint.of(made.endpoint), secret=made.secret
        )

    @mutation
    async def update_webhook_endpoint(
        self, info: Info, input: UpdateWebhookEndpointInput
    ) -> WebhookEndpointPayload:
        ctx = info.context
        endpoint = await service.update_endpoint(
            ctx.db,
            ctx.settings,
            signed_in(info),
            endpoint_id=decode_id(input.id, "WebhookEndpoint"),
            url=input.url,
            events=list(input.events) if input.events is not None else None,
            enabled=input.enabled,
        )
        return WebhookEndpointPayload(endpoint=WebhookEndpoint.of(endpoint))

    @mutation(description="A new signing secret, shown only here; the old one stops at once.")
    async def rotate_webhook_secret(
        self, info: Info, input: WebhookEndpointIdInput
    ) -> CreateWebhookEndpointPayload:
        ctx = info.context
        made = await service.rotate_secret(
            ctx.db,
            ctx.settings,
            signed_in(info),
            endpoint_id=decode_id(input.id, "WebhookEndpoint"),
        )
        return CreateWebhookEndpointPayload(
            endpoint=WebhookEndpoint.of(made.endpoint), secret=made.secret
        )

    @mutation
    async def delete_webhook_endpoint(
        self, info: Info, input: WebhookEndpointIdInput
    ) -> WebhookEndpointPayload:
        endpoint = await service.delete_endpoint(
            info.context.db, signed_in(info), endpoint_id=decode_id(input.id, "WebhookEndpoint")
        )
        return WebhookEndpointPayload(endpoint=WebhookEndpoint.of(endpoint))

    @mutation(description="Send a delivery again, at once.")
    async def retry_webhook_delivery(
        self, info: Info, input: WebhookDeliveryIdInput
    ) -> WebhookDeliveryPayload:
        delivery = await service.retry_delivery(
            info.context.db, signed_in(info), delivery_id=decode_id(input.id, "WebhookDelivery")
        )
        return WebhookDeliveryPayload(delivery=WebhookDelivery.of(delivery))

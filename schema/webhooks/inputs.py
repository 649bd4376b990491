"""Inputs and payloads of the webhook mutations."""

from __future__ import annotations

import strawberry

from schema.errors import USER_ERRORS, UserError
from schema.webhooks.types import WebhookDelivery, WebhookEndpoint, WebhookEvent


@strawberry.input
class CreateWebhookEndpointInput:
    url: str
    events: list[WebhookEvent]


@strawberry.type
class CreateWebhookEndpointPayload:
    endpoint: WebhookEndpoint | None = None
    secret: str | None = strawberry.field(
        default=None,
        description="The signing secret (Standard Webhooks `whsec_...`), shown only here.",
    )
    user_errors: list[UserError] = USER_ERRORS


@strawberry.input
class UpdateWebhookEndpointInput:
    id: strawberry.ID
    url: str | None = None
    events: list[WebhookEvent] | None = None
    enabled: bool | None = None


@strawberry.input
class WebhookEndpointIdInput:
    id: strawberry.ID


@strawberry.type
class WebhookEndpointPayload:
    endpoint: WebhookEndpoint | None = None
    user_errors: list[UserError] = USER_ERRORS


@strawberry.input
class WebhookDeliveryIdInput:
    id: strawberry.ID


@strawberry.type
class WebhookDeliveryPayload:
    delivery: WebhookDelivery | None = None
    user_errors: list[UserError] = USER_ERRORS

"""An LA admin's webhook endpoints: register, change, rotate the secret, delete; retry a
delivery. Each change is one unit of work, scoped to the admin's own LA (another LA's
endpoint is NOT_FOUND)."""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from core.db import Database
from core.errors import InvalidInput, InvalidState, NotFound
from core.identity.audit import AuditKind, record
from core.identity.secrets import encrypt_secret
from core.identity.viewer import Viewer
from core.models import WebhookDelivery, WebhookEndpoint
from core.settings import Settings
from core.webhooks.events import WebhookEvent, send_after_commit
from core.webhooks.signing import new_secret
from core.webhooks.urls import checked_url

#: Endpoints one LA may have (a few systems, each perhaps with a test endpoint).
MAX_ENDPOINTS = 10


@dataclass(frozen=True)
class EndpointWithSecret:
    endpoint: WebhookEndpoint
    #: The ``whsec_`` secret, given once (creation and rotation).
    secret: str


def _events(events: Iterable[str]) -> list[str]:
    chosen = list(dict.fromkeys(WebhookEvent(e).value for e in events))
    if not chosen:
        raise InvalidInput("Choose at least one event to hear about.", field=("input", "events"))
    return chosen


async def _own_endpoint(
    session: AsyncSession, viewer: Viewer, endpoint_id: uuid.UUID
) -> WebhookEndpoint:
    endpoint = await session.scalar(
        select(WebhookEndpoint)
        .where(
            WebhookEndpoint.id == endpoint_id,
            WebhookEndpoint.organisation_id == viewer.organisation_id,
        )
        .with_for_update()
    )
    if endpoint is None:
        raise NotFound("No webhook endpoint with this id was found.", field=("input", "id"))
    return endpoint


def _audit(session: AsyncSession, viewer: Viewer, endpoint: WebhookEndpoint, what: str) -> None:
    record(
        session,
        AuditKind.WEBHOOK_ENDPOINT_CHANGED,
        actor_user_id=viewer.user_id,
        organisation_id=viewer.organisation_id,
        client_address=viewer.client_address,
        endpoint_id=str(endpoint.id),
        change=what,
    )


async def create_endpoint(
    db: Database, settings: Settings, viewer: Viewer, *, url: str, events: Sequence[str]
) -> EndpointWithSecret:
    chosen = _events(events)
    address = await checked_url(url, settings)
    secret = new_secret()
    async with db.transaction() as session:
        count = len(
            (
                await session.scalars(
                    select(WebhookEndpoint.id).where(
                        WebhookEndpoint.organisation_id == viewer.organisation_id
                    )
                )
            ).all()
        )
        if count >= MAX_ENDPOINTS:
            raise InvalidState(
                f"Your LA has {MAX_ENDPOINTS} webhook endpoints already: delete one first."
            )
        endpoint = WebhookEndpoint(
            id=uuid.uuid4(),
            organisation_id=viewer.organisation_id,
            url=address,
            events=chosen,
            secret_encrypted=encrypt_secret(settings.secret_key, secret),
            enabled=True,
            created_by_id=viewer.user_id,
        )
        session.add(endpoint)
        await session.flush()
        _audit(session, viewer, endpoint, "created")
    return EndpointWithSecret(endpoint, secret)


async def update_endpoint(
    db: Database,
    settings: Settings,
    viewer: Viewer,
    *,
    endpoint_id: uuid.UUID,
    url: str | None = None,
    events: Sequence[str] | None = None,
    enabled: bool | None = None,
) -> WebhookEndpoint:
    """Change what is given; enabling again starts afresh (no failures counted)."""
    chosen = _events(events) if events is not None else None
    address = await checked_url(url, settings) if url is not None else None
    async with db.transaction() as session:
        endpoint = await _own_endpoint(session, viewer, endpoint_id)
        if address is not None:
            endpoint.url = address
        if chosen is not None:
            endpoint.events = chosen
        if enabled is not None and enabled != endpoint.enabled:
            endpoint.enabled = enabled
            endpoint.failing_since = None
            endpoint.disabled_reason = None
        _audit(session, viewer, endpoint, "updated")
    return endpoint


async def rotate_secret(
    db: Database, settings: Settings, viewer: Viewer, *, endpoint_id: uuid.UUID
) -> EndpointWithSecret:
    """A new secret, used for every POST from now on (retries of older events included)."""
    secret = new_secret()
    async with db.transaction() as session:
        endpoint = await _own_endpoint(session, viewer, endpoint_id)
        endpoint.secret_encrypted = encrypt_secret(settings.secret_key, secret)
        _audit(session, viewer, endpoint, "secret rotated")
    return EndpointWithSecret(endpoint, secret)


async def delete_endpoint(
    db: Database, viewer: Viewer, *, endpoint_id: uuid.UUID
) -> WebhookEndpoint:
    """Delete the endpoint and its deliveries (nothing more is sent to it)."""
    async with db.transaction() as session:
        endpoint = await _own_endpoint(session, viewer, endpoint_id)
        _audit(session, viewer, endpoint, "deleted")
        await session.delete(endpoint)
    return endpoint


async def retry_delivery(
    db: Database, viewer: Viewer, *, delivery_id: uuid.UUID
) -> WebhookDelivery:
    """Send a delivery again (whatever its status), at once."""
    async with db.transaction() as session:
        row = (
            await session.execute(
                select(WebhookDelivery, WebhookEndpoint.enabled)
                .join(WebhookEndpoint, WebhookEndpoint.id == WebhookDelivery.endpoint_id)
                .where(
                    WebhookDelivery.id == delivery_id,
                    WebhookEndpoint.organisation_id == viewer.organisation_id,
                )
                .with_for_update()
            )
        ).first()
        if row is None:
            raise NotFound("No webhook delivery with this id was found.", field=("input", "id"))
        delivery, enabled = row
        if not enabled:
            raise InvalidState("The endpoint is disabled: enable it first, then retry.")
        delivery.status = "PENDING"
        delivery.next_attempt_at = None
        delivery.claimed_until = None
        send_after_commit(session)
    return delivery

"""Given-steps and operations for the webhook tests."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any, NamedTuple

from core.identity.roles import Role
from tests.graphql_client import GraphQLClient
from tests.people import People, Person
from tests.referrals.homes import HomeSpec, Provider, provider_with_homes
from tests.referrals.operations import CREATE, SEND, referral_input
from tests.webhooks.receiver import Receiver, receiver

ERRORS = "userErrors { field message code }"
ENDPOINT = "id url events enabled createdAt"
DELIVERY = "id event subjectId status attempts lastAttemptAt lastResponseStatus lastError createdAt"
CREATE_ENDPOINT = f"""
mutation ($input: CreateWebhookEndpointInput!) {{
  createWebhookEndpoint(input: $input) {{ endpoint {{ {ENDPOINT} }} secret {ERRORS} }}
}}"""
UPDATE_ENDPOINT = f"""
mutation ($input: UpdateWebhookEndpointInput!) {{
  updateWebhookEndpoint(input: $input) {{ endpoint {{ {ENDPOINT} }} {ERRORS} }}
}}"""
ROTATE = f"""
mutation ($id: ID!) {{
  rotateWebhookSecret(input: {{id: $id}}) {{ endpoint {{ id }} secret {ERRORS} }}
}}"""
DELETE = f"""
mutation ($id: ID!) {{ deleteWebhookEndpoint(input: {{id: $id}}) {{ endpoint {{ id url }} {ERRORS} }} }}
"""
RETRY = f"""
mutation ($id: ID!) {{
  retryWebhookDelivery(input: {{id: $id}}) {{ delivery {{ {DELIVERY} }} {ERRORS} }}
}}"""
ENDPOINTS = f"""
query ($first: Int, $after: String) {{
  webhookEndpoints {{
    {ENDPOINT}
    deliveries(first: $first, after: $after) {{
      totalCount pageInfo {{ hasNextPage endCursor }} edges {{ cursor node {{ {DELIVERY} }} }}
    }}
  }}
}}"""
ALL_EVENTS = [
    "REFERRAL_DELIVERED",
    "OFFER_SUBMITTED",
    "OFFER_WITHDRAWN",
    "MESSAGE_RECEIVED",
    "IPA_READY_TO_SIGN",
    "IPA_SIGNED",
    "REGISTRATION_SUBMITTED",
]
SUMMARY = "Girl of 14 who loves drawing; needs a calm residential home near her school in B15."


@dataclass
class LocalAuthority:
    id: uuid.UUID
    admin: Person
    caseworker: Person


async def local_authority(people: People) -> LocalAuthority:
    la_id = await people.local_authority()
    return LocalAuthority(
        id=la_id,
        admin=await people.signed_in(la_id, Role.LA_ADMIN),
        caseworker=await people.caseworker(la_id),
    )


async def create_endpoint(
    client: GraphQLClient, token: str, url: str, events: list[str] = ALL_EVENTS
) -> dict[str, Any]:
    """``createWebhookEndpoint``'s payload, as ``token``'s holder asked for it."""
    data = await client.data(
        CREATE_ENDPOINT, {"input": {"url": url, "events": events}}, token=token
    )
    return data["createWebhookEndpoint"]


async def endpoint(
    client: GraphQLClient, la: LocalAuthority, url: str, events: list[str] | None = None
) -> tuple[str, str]:
    """A registered endpoint: (its id, its secret)."""
    result = await create_endpoint(client, la.admin.token, url, events or ["REFERRAL_DELIVERED"])
    assert result["userErrors"] == [], result["userErrors"]
    return result["endpoint"]["id"], result["secret"]


async def provider(people: People) -> Provider:
    return await provider_with_homes(people, HomeSpec(name="Oak House"))


async def send_referral(client: GraphQLClient, la: LocalAuthority) -> str:
    """A RESIDENTIAL referral of ``la``, created and sent; its id."""
    created = (
        await client.data(CREATE, referral_input(summary=SUMMARY), token=la.caseworker.token)
    )["createReferral"]
    assert created["userErrors"] == [], created["userErrors"]
    sent = await client.data(SEND, {"id": created["referral"]["id"]}, token=la.caseworker.token)
    assert sent["sendReferral"]["userErrors"] == [], sent
    return created["referral"]["id"]


async def deliveries(client: GraphQLClient, la: LocalAuthority) -> list[dict]:
    endpoints = (await client.data(ENDPOINTS, {"first": 100}, token=la.admin.token))[
        "webhookEndpoints"
    ]
    return [e["node"] for endpoint in endpoints for e in endpoint["deliveries"]["edges"]]


class Listening(NamedTuple):
    la: LocalAuthority
    hooks: Receiver
    endpoint_id: str
    secret: str


@asynccontextmanager
async def listening(
    client: GraphQLClient,
    people: People,
    *statuses: int,
    events: list[str] | None = None,
    hold: int = 0,
) -> AsyncIterator[Listening]:
    """Given an LA whose endpoint is registered at a running receiver (answering ``statuses``
    first, holding the first ``hold`` requests unanswered), and a provider its referrals reach."""
    la = await local_authority(people)
    await provider(people)
    with receiver(*statuses) as hooks:
        hooks.hold = hold
        endpoint_id, secret = await endpoint(client, la, hooks.url, events)
        yield Listening(la, hooks, endpoint_id, secret)

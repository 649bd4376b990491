"""Concurrent clients for the fault tests: each loops over a mix of reads and writes against a
real ``portal serve`` until told to stop, recording every outcome."""

from __future__ import annotations

import asyncio
import itertools
from collections import Counter
from dataclasses import dataclass, field

import httpx

from tests.messages.operations import SEND, THREAD, message

REFERRAL_PAGE = """
query ($id: ID!) { node(id: $id) { ... on Referral { id reference status children { age } } } }"""
VIEWER = "{ viewer { id email } }"


@dataclass
class Outcomes:
    ok: Counter[str] = field(default_factory=Counter)
    failed: list[str] = field(default_factory=list)
    #: Ids of messages the server acknowledged (200 and a message in the payload).
    acknowledged: list[str] = field(default_factory=list)


@dataclass
class Conversation:
    """A referral sent to a provider: the LA's caseworker writes to the provider's thread."""

    base_url: str
    token: str
    referral_id: str
    provider_id: str


async def _post(
    http: httpx.AsyncClient, token: str, query: str, variables: dict[str, object]
) -> dict[str, object]:
    response = await http.post(
        "/graphql",
        json={"query": query, "variables": variables},
        headers={"Authorization": f"Bearer {token}"},
    )
    if response.status_code != 200:
        raise AssertionError(f"{response.status_code} {response.text[:300]}")
    body = response.json()
    if body.get("errors"):
        raise AssertionError(str(body["errors"])[:300])
    return body["data"]


async def client_loop(
    conversation: Conversation,
    outcomes: Outcomes,
    stop: asyncio.Event,
    number: int,
    *,
    stop_at_first_transport_error: bool = False,
) -> None:
    """Read the viewer, the referral and the thread, and write a message, in turn."""
    operations = itertools.cycle(("viewer", "referral", "thread", "write"))
    async with httpx.AsyncClient(base_url=conversation.base_url, timeout=30) as http:
        for counter in itertools.count():
            if stop.is_set():
                return
            operation = next(operations)
            try:
                if operation == "viewer":
                    await _post(http, conversation.token, VIEWER, {})
                elif operation == "referral":
                    await _post(
                        http, conversation.token, REFERRAL_PAGE, {"id": conversation.referral_id}
                    )
                elif operation == "thread":
                    await _post(
                        http,
                        conversation.token,
                        THREAD,
                        {"id": conversation.referral_id, "providerId": conversation.provider_id},
                    )
                else:
                    data = await _post(
                        http,
                        conversation.token,
                        SEND,
                        message(
                            conversation.referral_id,
                            f"client {number}, message {counter}",
                            providerId=conversation.provider_id,
                        ),
                    )
                    sent = data["sendMessage"]  # type: ignore[index]
                    if sent["userErrors"]:  # type: ignore[index]
                        raise AssertionError(str(sent["userErrors"]))  # type: ignore[index]
                    outcomes.acknowledged.append(sent["message"]["id"])  # type: ignore[index]
                outcomes.ok[operation] += 1
            except httpx.TransportError as error:
                if stop_at_first_transport_error:
                    return
                outcomes.failed.append(f"{operation}: {type(error).__name__}: {error}")
            except AssertionError as error:
                outcomes.failed.append(f"{operation}: {error}")

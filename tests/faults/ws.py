"""A minimal graphql-transport-ws client for the fault tests (``websockets``): it stays
connected to a real ``portal serve`` while Redis goes away and comes back."""

from __future__ import annotations

import asyncio
import contextlib
import json
from collections.abc import AsyncIterator
from typing import Any

import websockets

SUBSCRIBE = "subscription { notifications { id kind message subjectId createdAt readAt } }"


class TransportWsClient:
    """A minimal graphql-transport-ws client over ``websockets``."""

    def __init__(self, connection: Any) -> None:
        self.connection = connection

    @classmethod
    @contextlib.asynccontextmanager
    async def connect(
        cls, url: str, *, headers: dict[str, str] | None = None
    ) -> AsyncIterator[TransportWsClient]:
        async with websockets.connect(
            url, subprotocols=["graphql-transport-ws"], additional_headers=headers or {}
        ) as connection:
            yield cls(connection)

    async def send(self, message: dict[str, Any]) -> None:
        await self.connection.send(json.dumps(message))

    async def receive(self, within: float = 5.0) -> dict[str, Any]:
        while True:
            message = json.loads(await asyncio.wait_for(self.connection.recv(), within))
            if message.get("type") == "ping":
                await self.send({"type": "pong"})
                continue
            return message

    async def init(self, payload: dict[str, Any]) -> dict[str, Any]:
        await self.send({"type": "connection_init", "payload": payload})
        return await self.receive()

    async def subscribe(self, operation_id: str = "1", query: str = SUBSCRIBE) -> None:
        await self.send({"id": operation_id, "type": "subscribe", "payload": {"query": query}})

    async def next_notification(self, within: float = 5.0) -> dict[str, Any]:
        message = await self.receive(within)
        assert message["type"] == "next", message
        assert not message["payload"].get("errors"), message
        return message["payload"]["data"]["notifications"]

    async def close_code(self, within: float = 5.0) -> int | None:
        with contextlib.suppress(websockets.ConnectionClosed):
            while True:
                await asyncio.wait_for(self.connection.recv(), within)
        return self.connection.close_code

"""Helpers for the notification tests: notifying through the core service, a real SMTP
server (aiosmtpd) on loopback, a real uvicorn server, a graphql-transport-ws client, waiting."""

from __future__ import annotations

import asyncio
import contextlib
import email
import json
import socket
import threading
import time
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

import uvicorn
import websockets
from aiosmtpd.controller import Controller

from core.db import Database
from core.notifications.kinds import NotificationKind
from core.notifications.service import Subject, notify
from core.settings import Settings

SUBSCRIBE = "subscription { notifications { id kind message subjectId createdAt readAt } }"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


async def notify_users(
    db: Database,
    settings: Settings,
    *users: uuid.UUID,
    kind: NotificationKind = NotificationKind.OFFER_RECEIVED,
    message: str = "Acorn Care made an offer.",
    subject: Subject | None = None,
) -> list[uuid.UUID]:
    """One event notifying ``users`` in its own unit of work (as a service would)."""
    async with db.transaction() as session:
        event = await notify(
            session,
            settings,
            recipients=list(users),
            kind=kind,
            message=message,
            subject=subject,
        )
    return list(event.notification_ids)


async def wait_until(
    condition: Callable[[], Awaitable[bool]], *, within: float = 20.0, what: str = "condition"
) -> None:
    """Poll ``condition`` until it holds (background work has no completion signal to await)."""
    deadline = time.monotonic() + within
    while not await condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {within}s waiting for {what}")
        await asyncio.sleep(0.05)


# ---------------------------------------------------------------- SMTP


@dataclass
class SmtpHandler:
    """Records accepted messages; may refuse the first ``fail_first`` attempts (451), and may
    hold the ``block_at``-th message without answering (a send in flight)."""

    fail_first: int = 0
    block_at: int | None = None
    accepted: list[email.message.Message] = field(default_factory=list)
    attempts: int = 0
    blocked: threading.Event = field(default_factory=threading.Event)
    release: threading.Event = field(default_factory=threading.Event)
    lock: threading.Lock = field(default_factory=threading.Lock)

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        with self.lock:
            self.attempts += 1
            attempt = self.attempts
        if attempt <= self.fail_first:
            return "451 4.3.0 Try again later"
        if self.block_at is not None and attempt == self.block_at:
            self.blocked.set()
            await asyncio.to_thread(self.release.wait, 120)
            return "451 4.3.0 Gave up"  # the client is gone: never counted as accepted
        with self.lock:
            self.accepted.append(email.message_from_bytes(envelope.content))
        return "250 OK"

    def message_ids(self) -> list[str]:
        with self.lock:
            return [str(m["Message-ID"]) for m in self.accepted]


@contextlib.contextmanager
def smtp_server(handler: SmtpHandler):  # type: ignore[no-untyped-def]
    port = free_port()
    controller = Controller(handler, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield f"smtp://127.0.0.1:{port}"
    finally:
        handler.release.set()
        controller.stop()


# ---------------------------------------------------------------- a served app and websockets


@contextlib.asynccontextmanager
async def served(app: Any) -> AsyncIterator[str]:
    """``app`` (already started) on a real loopback port: the ``ws://`` URL of /graphql."""
    port = free_port()
    server = uvicorn.Server(
        uvicorn.Config(app, host="127.0.0.1", port=port, lifespan="off", log_level="warning")
    )
    task = asyncio.create_task(server.serve())
    while not server.started:
        if task.done():
            task.result()
        await asyncio.sleep(0.01)
    try:
        yield f"ws://127.0.0.1:{port}/graphql"
    finally:
        server.should_exit = True
        await task


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

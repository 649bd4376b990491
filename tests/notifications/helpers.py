"""Helpers for the notification tests: notifying through the core service, a real SMTP
server (aiosmtpd) on loopback, a real uvicorn server, subscriptions through ``gql``, waiting."""

from __future__ import annotations

import asyncio
import contextlib
import email
import socket
import threading
import time
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

import uvicorn
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


@dataclass
class Subscriber:
    """A ``subscription { notifications }`` held open by Python's ``gql`` client (websockets
    transport, graphql-transport-ws): the events it received, in order."""

    events: asyncio.Queue[dict[str, Any]]
    task: asyncio.Task[None]
    #: the client's end of the websocket (which server process holds the other end)
    local_port: int | None = None

    async def next_notification(self, within: float = 5.0) -> dict[str, Any]:
        getting = asyncio.ensure_future(self.events.get())
        done, _ = await asyncio.wait(
            {getting, self.task}, timeout=within, return_when=asyncio.FIRST_COMPLETED
        )
        if getting not in done:
            getting.cancel()
            if self.task in done:
                self.task.result()  # the subscription ended: raise why
                raise AssertionError("the subscription ended without an event")
            raise AssertionError(f"no notification within {within}s")
        return getting.result()["notifications"]

    async def ended(self, within: float = 5.0) -> None:
        """Wait until the server completes the subscription (no error, no more events)."""
        done, _ = await asyncio.wait({self.task}, timeout=within)
        if self.task not in done:
            raise AssertionError(f"the subscription was still open after {within}s")
        self.task.result()


@contextlib.asynccontextmanager
async def gql_subscriber(
    url: str, *, token: str | None = None, cookie: str | None = None, query: str = SUBSCRIBE
) -> AsyncIterator[Subscriber]:
    """Subscribe with ``gql``: ``token`` in connection_init's payload, or ``cookie`` (a
    session token) as the handshake's Cookie header."""
    from gql import Client, gql
    from gql.transport.websockets import WebsocketsTransport

    from schema.view import SESSION_COOKIE

    transport = WebsocketsTransport(
        url=url,
        init_payload={"authorization": f"Bearer {token}"} if token else {},
        headers={"Cookie": f"{SESSION_COOKIE}={cookie}"} if cookie else None,
        subprotocols=[WebsocketsTransport.GRAPHQLWS_SUBPROTOCOL],
    )
    async with Client(transport=transport) as session:
        events: asyncio.Queue[dict[str, Any]] = asyncio.Queue()

        async def receive() -> None:
            async for result in session.subscribe(gql(query)):
                await events.put(result)

        task = asyncio.create_task(receive())
        websocket = transport.adapter.websocket
        try:
            yield Subscriber(events, task, websocket.local_address[1] if websocket else None)
        finally:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await task


async def gql_connection_refusal(url: str, payload: dict[str, Any]) -> BaseException:
    """What ``gql`` raises when the server refuses ``connection_init`` with ``payload``."""
    from gql import Client
    from gql.transport.websockets import WebsocketsTransport

    transport = WebsocketsTransport(
        url=url,
        init_payload=payload,
        subprotocols=[WebsocketsTransport.GRAPHQLWS_SUBPROTOCOL],
    )
    try:
        async with Client(transport=transport):
            pass
    except Exception as error:  # the refusal, as gql reports it
        return error
    raise AssertionError("the connection was accepted")

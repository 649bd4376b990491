"""The Node ``graphql-ws`` client (npm, what Apollo's GraphQLWsLink, urql and GraphiQL use)
receives ``notifications`` events: bearer token in connection_init, or the session cookie."""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import shutil
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest

from core.identity.roles import OrganisationKind, Role
from schema.node import encode_id
from schema.view import SESSION_COOKIE
from tests.notifications.helpers import SUBSCRIBE, notify_users, served, wait_until

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = Path(__file__).with_name("graphql_ws_subscriber.mjs")

pytestmark = pytest.mark.skipif(
    shutil.which("node") is None or not (ROOT / "node_modules" / "graphql-ws").is_dir(),
    reason="needs Node.js and node_modules (python3 dev.py installs them)",
)


class NodeSubscriber:
    def __init__(self, process: asyncio.subprocess.Process) -> None:
        self.process = process

    async def event(self, within: float = 10.0) -> dict[str, Any]:
        assert self.process.stdout is not None
        line = await asyncio.wait_for(self.process.stdout.readline(), within)
        if not line:
            assert self.process.stderr is not None
            raise AssertionError((await self.process.stderr.read()).decode())
        return json.loads(line)


@contextlib.asynccontextmanager
async def graphql_ws(
    url: str, *, token: str | None = None, cookie: str | None = None
) -> AsyncIterator[NodeSubscriber]:
    environment = {**os.environ}
    environment.pop("PORTAL_TOKEN", None)
    environment.pop("PORTAL_COOKIE", None)
    if token:
        environment["PORTAL_TOKEN"] = token
    if cookie:
        environment["PORTAL_COOKIE"] = f"{SESSION_COOKIE}={cookie}"
    process = await asyncio.create_subprocess_exec(
        "node",
        "--experimental-websocket",
        str(SCRIPT),
        url,
        SUBSCRIBE,
        cwd=ROOT,
        env=environment,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    try:
        yield NodeSubscriber(process)
    finally:
        if process.returncode is None:
            process.kill()
        await process.wait()


async def _person(people):  # type: ignore[no-untyped-def]
    provider = await people.organisation(OrganisationKind.PROVIDER)
    return await people.signed_in(provider, Role.PROVIDER_USER)


async def _subscribed(portal, person) -> None:  # type: ignore[no-untyped-def]
    async def ready() -> bool:
        return portal.state.realtime.subscriber_count(person.user_id) > 0

    await wait_until(ready, within=10, what="the subscription to be registered")


@pytest.mark.parametrize("credentials", ["bearer", "cookie"])
async def test_graphql_ws_receives_a_notification(
    portal, people, db, settings, credentials: str
) -> None:
    # given
    person = await _person(people)
    kwargs = {"token": person.token} if credentials == "bearer" else {"cookie": person.token}
    async with served(portal) as url, graphql_ws(url, **kwargs) as subscriber:
        connected = await subscriber.event()
        await _subscribed(portal, person)
        # when
        [key] = await notify_users(db, settings, person.user_id, message=f"by {credentials}")
        received = await subscriber.event()
    # then
    assert connected == {"event": "connected"}
    assert received["event"] == "next"
    notification = received["payload"]["data"]["notifications"]
    assert notification["id"] == encode_id("Notification", key)
    assert notification["message"] == f"by {credentials}"


async def test_graphql_ws_is_refused_without_credentials(portal) -> None:
    # given
    async with served(portal) as url, graphql_ws(url) as subscriber:
        # when
        event = await subscriber.event()
    # then
    assert event["event"] == "closed"
    assert event["code"] == 4403

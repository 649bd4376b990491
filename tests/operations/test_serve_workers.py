"""``portal serve --workers 2``: two processes answer on one port; a subscriber on either
receives the event of a mutation served by the other (Redis); ``/metrics`` in either sums
both; a worker killed with SIGKILL is replaced and no later request fails; SIGHUP replaces
the workers one at a time without dropping a request in flight, and SIGTERM drains.
Several workers without Redis are refused."""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import httpx
import pytest
from prometheus_client.parser import text_string_to_metric_families

from core.db import Database
from core.settings import Settings
from tests.conftest import TEST_SECRET_KEY
from tests.faults.processes import Portal, Process, RedisServer, eventually
from tests.graphql_client import GraphQLClient
from tests.messages.conftest import sent_referral
from tests.messages.operations import SEND, message
from tests.notifications.helpers import Subscriber, gql_subscriber
from tests.operations.conftest import METRICS_TOKEN
from tests.operations.workers import get, serving_pid, worker_pids
from tests.people import People
from tests.referrals.homes import HomeSpec, provider_with_homes

ROOT = Path(__file__).resolve().parents[2]
METRICS = {"Authorization": f"Bearer {METRICS_TOKEN}"}


@pytest.fixture
def redis_server(tmp_path: Path) -> Iterator[RedisServer]:
    """A Redis of the test's own (pub/sub channels are shared by every database of a server)."""
    server = RedisServer(tmp_path)
    server.start()
    yield server
    server.stop()


@pytest.fixture
def portal(database_url: str, tmp_path: Path, redis_server: RedisServer) -> Iterator[Portal]:
    stack = Portal(
        tmp_path,
        {
            "PORTAL_DATABASE_URL": database_url,
            "PORTAL_REDIS_URL": redis_server.url,
            "PORTAL_SMTP_URL": "",
            "PORTAL_SECRET_KEY": TEST_SECRET_KEY,
            "PORTAL_ENV": "test",
            "PORTAL_STORAGE_DIR": str(tmp_path / "storage"),
            "PORTAL_LOGIN_RATE_LIMIT": "1000/minute",
            "PORTAL_METRICS_TOKEN": METRICS_TOKEN,
            "PROMETHEUS_MULTIPROC_DIR": str(tmp_path / "metrics"),
        },
    )
    (tmp_path / "metrics").mkdir()
    yield stack
    stack.stop_all()


async def _both_serving(portal: Portal, serve: Process) -> set[int]:
    """Wait until the supervisor has two workers and each has answered a request."""
    answered: set[int] = set()

    async def both() -> bool:
        pids = worker_pids(serve.popen.pid)
        if len(pids) == 2:
            status, _, pid = await asyncio.to_thread(get, portal.port, "/health/live", pids=pids)
            assert status == 200
            if pid is not None:
                answered.add(pid)
        return len(answered & pids) == 2

    await eventually(both, within=120, what="both workers to answer", every=0.05)
    return worker_pids(serve.popen.pid)


def _live_subscriptions(body: bytes) -> float:
    for family in text_string_to_metric_families(body.decode()):
        for sample in family.samples:
            if sample.name == "portal_live_subscriptions":
                return sample.value
    raise AssertionError("no portal_live_subscriptions in /metrics")


async def _scrapes_by_each(portal: Portal, pids: set[int]) -> dict[int, float]:
    """portal_live_subscriptions as /metrics reports it when each worker answers."""
    seen: dict[int, float] = {}

    async def each() -> bool:
        status, body, pid = await asyncio.to_thread(
            get, portal.port, "/metrics", pids=pids, headers=METRICS
        )
        assert status == 200, body
        if pid is not None:
            seen[pid] = _live_subscriptions(body)
        return set(seen) == pids

    await eventually(each, within=30, what="/metrics from each worker", every=0.01)
    return seen


@contextlib.asynccontextmanager
async def _subscriptions_on_both(
    portal: Portal, pids: set[int], token: str
) -> AsyncIterator[dict[int, list[Subscriber]]]:
    """Subscriptions of one user, opened until each worker holds at least one."""
    by_pid: dict[int, list[Subscriber]] = {pid: [] for pid in pids}
    async with contextlib.AsyncExitStack() as stack:
        for _ in range(40):
            ws = await stack.enter_async_context(gql_subscriber(portal.ws_url, token=token))
            assert ws.local_port is not None
            pid = serving_pid(pids, portal.port, ws.local_port)
            assert pid is not None, "no worker holds the websocket"
            by_pid[pid].append(ws)
            if all(by_pid.values()):
                break
        assert all(by_pid.values()), {pid: len(s) for pid, s in by_pid.items()}
        yield by_pid


async def _message_received(ws: Subscriber) -> None:
    while (await ws.next_notification(within=15))["kind"] != "MESSAGE_RECEIVED":
        pass


@pytest.mark.redis
async def test_two_workers_share_one_port_events_and_metrics_and_replace_a_killed_one(
    portal: Portal, db: Database, settings: Settings
) -> None:
    # given `portal serve --workers 2` on Redis, both workers answering
    serve = await portal.serve(workers=2)
    pids = await _both_serving(portal, serve)
    async with httpx.AsyncClient(base_url=portal.base_url, timeout=30) as http:
        client = GraphQLClient(http)
        people = People(db=db, settings=settings, client=client)
        la_id = await people.local_authority("Birmingham", "BIR", ("RESIDENTIAL",))
        caseworker = await people.caseworker(la_id)
        provider = await provider_with_homes(people, HomeSpec(), name="Acorn Care")
        referral_id = await sent_referral(client, caseworker)
        # and the provider's admin subscribed on each of the two workers
        async with _subscriptions_on_both(portal, pids, provider.admin.token) as by_pid:
            subscriptions = sum(len(s) for s in by_pid.values())
            await asyncio.sleep(0.5)  # the hubs have subscribed to the channel

            # when the LA writes a message (the mutation is served by one of the workers)
            sent = await client.data(
                SEND,
                message(referral_id, "Across processes", providerId=provider.id),
                token=caseworker.token,
            )
            assert sent["sendMessage"]["userErrors"] == [], sent

            # then every subscription receives the event, on both workers
            for subscribers in by_pid.values():
                for ws in subscribers:
                    await _message_received(ws)
            # and /metrics, whichever worker answers, counts the subscriptions of both
            scraped = await _scrapes_by_each(portal, pids)
            assert scraped == {pid: subscriptions for pid in pids}

            # when one worker is killed with SIGKILL
            killed = next(iter(pids))
            survivor = (pids - {killed}).pop()
            os.kill(killed, signal.SIGKILL)
            # then every request from then on is answered (by the survivor, then also by
            # the worker started in the killed one's place)
            replacement: set[int] = set()

            async def replaced_and_serving() -> bool:
                now = worker_pids(serve.popen.pid)
                status, body, pid = await asyncio.to_thread(
                    get, portal.port, "/health/live", pids=now
                )
                assert status == 200, body
                assert killed not in now or pid != killed
                new = now - pids
                replacement.update(new)
                return bool(new) and pid in new

            await eventually(replaced_and_serving, within=120, what="a new worker", every=0.05)
            assert worker_pids(serve.popen.pid) == {survivor, *replacement}
            # and the killed worker's subscriptions no longer count in /metrics
            gone = len(by_pid[killed])
            scraped = await _scrapes_by_each(portal, {survivor, *replacement})
            assert set(scraped.values()) == {subscriptions - gone}
            # and the survivor's subscribers still receive events
            sent = await client.data(
                SEND,
                message(referral_id, "After the kill", providerId=provider.id),
                token=caseworker.token,
            )
            assert sent["sendMessage"]["userErrors"] == [], sent
            for ws in by_pid[survivor]:
                await _message_received(ws)
    assert serve.running

    # when the supervisor itself is killed with SIGKILL
    workers = worker_pids(serve.popen.pid)
    os.kill(serve.popen.pid, signal.SIGKILL)
    serve.popen.wait(timeout=20)

    # then its workers stop too (the kernel tells them), rather than hold the port
    async def all_gone() -> bool:
        return not any(_exists(pid) for pid in workers)

    await eventually(all_gone, within=60, what="the orphaned workers to stop")


def _exists(pid: int) -> bool:
    """The process runs (a zombie waiting for whoever adopted it to reap it has ended)."""
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False


def _in_flight(port: int, request_id: str) -> tuple[socket.socket, bytes]:
    """A POST whose body is still arriving: the connection and the rest of its body."""
    body = json.dumps({"query": "query Ping { __typename }"}).encode()
    connection = socket.create_connection(("127.0.0.1", port), timeout=60)
    connection.sendall(
        b"POST /graphql HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
        + f"Content-Length: {len(body)}\r\nX-Request-Id: {request_id}\r\n\r\n".encode()
        + body[:10]
    )
    return connection, body[10:]


def _finish(connection: socket.socket, rest: bytes) -> bytes:
    connection.sendall(rest)
    answer = b""
    while b"__typename" not in answer:
        chunk = connection.recv(65536)
        if not chunk:
            break
        answer += chunk
    connection.close()
    return answer


class _Load:
    """Requests one after another, each on a new connection, from a thread: how many were
    answered and what failed."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.answered = 0
        self.failures: list[str] = []
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        while not self.stop.is_set():
            try:
                status, body, _ = get(self.port, "/health/live")
            except OSError as error:
                self.failures.append(repr(error))
                continue
            if status == 200:
                self.answered += 1
            else:
                self.failures.append(f"{status} {body[:200]!r}")
            time.sleep(0.01)

    def __enter__(self) -> _Load:
        self.thread.start()
        return self

    def __exit__(self, *_: object) -> None:
        self.stop.set()
        self.thread.join(timeout=60)


@pytest.mark.redis
async def test_sighup_replaces_workers_one_by_one_and_sigterm_drains(portal: Portal) -> None:
    # given two workers answering, a request arriving on one of them, and steady requests
    serve = await portal.serve(workers=2)
    old = await _both_serving(portal, serve)
    connection, rest = _in_flight(portal.port, "in-flight-hup")
    busy = serving_pid(old, portal.port, connection.getsockname()[1])
    assert busy is not None
    with _Load(portal.port) as load:
        # when the supervisor is told to restart (SIGHUP)
        os.kill(serve.popen.pid, signal.SIGHUP)

        # then once it has told the busy worker to stop, that worker still answers the
        # request it had begun
        async def told_to_stop() -> bool:
            return f"Terminated child process [{busy}]" in serve.text()

        await eventually(told_to_stop, within=180, what="the busy worker's turn")
        answer = await asyncio.to_thread(_finish, connection, rest)
        assert answer.startswith(b"HTTP/1.1 200"), answer[:300]
        assert b'"__typename":"Query"' in answer

        # and both workers are replaced, while no request failed meanwhile
        async def replaced() -> bool:
            now = worker_pids(serve.popen.pid)
            return len(now) == 2 and not now & old

        await eventually(replaced, within=180, what="both workers replaced")
        await asyncio.sleep(1)
    assert load.failures == []
    assert load.answered > 0
    new = worker_pids(serve.popen.pid)

    # when the supervisor is told to stop (SIGTERM) with a request in flight
    connection, rest = _in_flight(portal.port, "in-flight-term")
    assert serving_pid(new, portal.port, connection.getsockname()[1]) is not None
    serve.popen.send_signal(signal.SIGTERM)
    await asyncio.sleep(1)
    # then the request is answered, every worker ends and the supervisor exits cleanly
    answer = await asyncio.to_thread(_finish, connection, rest)
    assert answer.startswith(b"HTTP/1.1 200"), answer[:300]
    assert await asyncio.to_thread(serve.popen.wait, 60) == 0
    assert not any(_exists(pid) for pid in new)


def test_several_workers_without_redis_are_refused_in_one_line(tmp_path: Path) -> None:
    env = {
        **os.environ,
        "PORTAL_DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path}/serve.db",
        "PORTAL_STORAGE_DIR": str(tmp_path / "storage"),
    }
    env.pop("PORTAL_REDIS_URL", None)
    refused = subprocess.run(
        [sys.executable, "-m", "portal.cli", "serve", "--workers", "2"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert refused.returncode == 2
    assert refused.stderr.strip().splitlines() == [
        "portal: --workers 2 needs PORTAL_REDIS_URL: without Redis, live notifications reach "
        "only the subscribers of the process that made them, and every process would run the "
        "background actors; serve with --workers 1"
    ]
    assert not (tmp_path / "serve.db").exists()  # refused before anything was done

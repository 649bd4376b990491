"""Real processes for the fault tests: ``portal serve``, ``portal worker``, ``portal scheduler``,
a Redis server of the test's own, and an SMTP relay (aiosmtpd) that can be stopped and started
again on the same port. Each listens on a free loopback port; each process writes its log to a
file the test reads afterwards."""

from __future__ import annotations

import asyncio
import contextlib
import email
import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import redis
from aiosmtpd.controller import Controller

from tests.notifications.helpers import free_port

ROOT = Path(__file__).resolve().parents[2]


async def eventually(
    condition: Callable[[], Awaitable[bool]], *, within: float, what: str, every: float = 0.2
) -> float:
    """Wait until ``condition`` holds; the seconds it took (background work has no signal)."""
    started = time.monotonic()
    while not await condition():
        if time.monotonic() - started > within:
            raise AssertionError(f"timed out after {within:.0f}s waiting for {what}")
        await asyncio.sleep(every)
    return time.monotonic() - started


# ---------------------------------------------------------------- processes


@dataclass
class Process:
    name: str
    popen: subprocess.Popen[bytes]
    log: Path

    @property
    def running(self) -> bool:
        return self.popen.poll() is None

    def kill(self) -> None:
        """SIGKILL to the process and its children (its own process group)."""
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.popen.pid, signal.SIGKILL)
        self.popen.wait(timeout=20)

    def stop(self) -> None:
        """SIGTERM, then SIGKILL if it has not stopped within 15 s."""
        if not self.running:
            return
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.popen.pid, signal.SIGTERM)
        try:
            self.popen.wait(timeout=15)
        except subprocess.TimeoutExpired:
            self.kill()

    def text(self) -> str:
        return self.log.read_text(errors="replace") if self.log.exists() else ""


def start(name: str, argv: list[str], env: dict[str, str], workdir: Path) -> Process:
    log = workdir / f"{name}.log"
    with log.open("ab") as out:
        popen = subprocess.Popen(
            argv,
            cwd=ROOT,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its own process group: a kill takes its children too
        )
    return Process(name, popen, log)


@dataclass
class Portal:
    """The portal's processes for one test, sharing one environment."""

    workdir: Path
    env: dict[str, str]
    port: int = field(default_factory=free_port)
    processes: list[Process] = field(default_factory=list)

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def ws_url(self) -> str:
        return f"ws://127.0.0.1:{self.port}/graphql"

    def _start(self, name: str, *args: str) -> Process:
        process = start(
            name, [sys.executable, "-m", "portal.cli", *args], self.environment(), self.workdir
        )
        self.processes.append(process)
        return process

    def environment(self) -> dict[str, str]:
        return {**os.environ, **self.env, "PORTAL_BASE_URL": self.base_url}

    async def serve(self, workers: int = 1) -> Process:
        """``portal serve`` with ``workers`` processes (one, as before ``--workers``, unless
        the test is about several)."""
        process = self._start("serve", "serve", "--port", str(self.port), "--workers", str(workers))
        async with httpx.AsyncClient() as client:

            async def up() -> bool:
                if not process.running:
                    raise AssertionError(f"portal serve stopped:\n{process.text()[-3000:]}")
                try:
                    return (await client.get(f"{self.base_url}/health")).status_code == 200
                except httpx.HTTPError:
                    return False

            await eventually(up, within=60, what="portal serve to answer /health")
        return process

    def worker(self) -> Process:
        return self._start("worker", "worker", "--processes", "1", "--threads", "2")

    def scheduler(self) -> Process:
        return self._start("scheduler", "scheduler")

    def stop_all(self) -> None:
        for process in self.processes:
            process.kill()


# ---------------------------------------------------------------- Redis of the test's own


class RedisServer:
    """``redis-server`` on a free port, no persistence: stopping it loses everything it held,
    as a restart without AOF does (the shared Redis at 6379 is never touched)."""

    def __init__(self, workdir: Path) -> None:
        self.workdir = workdir
        self.port = free_port()
        self.process: Process | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        self.process = start(
            "redis",
            [
                "redis-server",
                "--port",
                str(self.port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
                "--dir",
                str(self.workdir),
            ],
            dict(os.environ),
            self.workdir,
        )
        client = redis.Redis(port=self.port, socket_connect_timeout=0.5)
        deadline = time.monotonic() + 20
        while True:
            try:
                if client.ping():
                    break
            except redis.ConnectionError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.05)
        client.close()

    def stop(self) -> None:
        """Stop it hard (SIGKILL): every connection drops at once, nothing is saved."""
        if self.process is not None:
            self.process.kill()
            self.process = None


# ---------------------------------------------------------------- an SMTP relay


@dataclass
class Relay:
    """An SMTP relay (aiosmtpd) recording what it accepted; each message may take ``delay``
    seconds (a slow relay keeps a worker mid-batch); stop and start again on the same port."""

    delay: float = 0.0
    port: int = field(default_factory=free_port)
    #: (when its DATA arrived, monotonic; Message-ID): a message sent by a client killed
    #: during ``delay`` is still accepted, as a real relay would.
    accepted: list[tuple[float, str]] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)
    controller: Controller | None = None

    @property
    def url(self) -> str:
        return f"smtp://127.0.0.1:{self.port}"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        arrived = time.monotonic()
        if self.delay:
            await asyncio.sleep(self.delay)
        message = email.message_from_bytes(envelope.content)
        with self.lock:
            self.accepted.append((arrived, str(message["Message-ID"])))
        return "250 OK"

    def start(self) -> None:
        self.controller = Controller(self, hostname="127.0.0.1", port=self.port)
        self.controller.start()

    def stop(self) -> None:
        if self.controller is not None:
            self.controller.stop()
            self.controller = None

    def message_ids(self) -> list[str]:
        with self.lock:
            return [message_id for _, message_id in self.accepted]

"""Workers for the tests: Dramatiq's worker in the test's own process (``running_worker``),
or a real ``portal worker`` process for the tests that kill one mid-task."""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import subprocess
import sys
from collections.abc import AsyncIterator
from pathlib import Path

import dramatiq

from core.jobs.broker import configure_broker
from core.settings import Settings

ROOT = Path(__file__).resolve().parents[1]


@contextlib.asynccontextmanager
async def running_worker(settings: Settings) -> AsyncIterator[dramatiq.Broker]:
    """The broker of ``settings`` (Redis or in-process) with a worker consuming it here."""
    broker = configure_broker(settings)
    worker = dramatiq.Worker(broker, worker_threads=2, worker_timeout=50)
    worker.start()
    try:
        yield broker
    finally:
        await asyncio.to_thread(worker.stop)


def start_worker(settings: Settings, **env: str) -> subprocess.Popen[bytes]:
    """``portal worker`` (one process, one thread) on the test's database and Redis; ``env``
    adds settings (``PORTAL_...``) of the test's own."""
    environment = {
        **os.environ,
        "PORTAL_DATABASE_URL": settings.database_url,
        "PORTAL_REDIS_URL": settings.redis_url or "",
        "PORTAL_SECRET_KEY": settings.secret_key,
        "PORTAL_ENV": "test",
        **env,
    }
    return subprocess.Popen(
        [sys.executable, "-m", "portal.cli", "worker", "--processes", "1", "--threads", "1"],
        cwd=ROOT,
        env=environment,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,  # its own process group: kill -9 takes the children too
    )


def kill(process: subprocess.Popen[bytes]) -> None:
    """SIGKILL to the worker's whole process group (a no-op once it is gone)."""
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGKILL)
    process.wait(timeout=10)

"""A real ``portal worker`` process for the tests that kill one mid-task, and its killing."""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
from pathlib import Path

from core.settings import Settings

ROOT = Path(__file__).resolve().parents[1]


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

"""Start a real ``portal serve`` on loopback for a benchmark, and stop it after."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextmanager
def portal_server(**env: str) -> Iterator[tuple[str, dict[str, str]]]:
    """``(base_url, environment)`` of a fresh portal on a temporary SQLite database
    (or ``PORTAL_DATABASE_URL`` if given)."""
    workdir = Path(tempfile.mkdtemp(prefix="portal-bench-"))
    port = free_port()
    environment = {
        **os.environ,
        "PORTAL_DATABASE_URL": f"sqlite+aiosqlite:///{workdir}/bench.db",
        "PORTAL_STORAGE_DIR": str(workdir / "storage"),
        "PORTAL_BASE_URL": f"http://127.0.0.1:{port}",
        **env,
    }
    process = subprocess.Popen(
        [sys.executable, "-m", "portal.cli", "serve", "--port", str(port)],
        env=environment,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                if httpx.get(f"{base}/health", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                time.sleep(0.2)
        else:
            raise RuntimeError("the portal did not start")
        yield base, environment
    finally:
        process.terminate()
        process.wait(timeout=20)

"""Start a real ``portal serve`` on loopback for a benchmark, and stop it after."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def wait_until_serving(
    port: int, *, path: str = "/", ok_only: bool = False, seconds: float = 60
) -> None:
    """Until ``GET http://127.0.0.1:{port}{path}`` answers (with 200 if ``ok_only``)."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            answer = httpx.get(f"http://127.0.0.1:{port}{path}", timeout=1)
            if not ok_only or answer.status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    raise RuntimeError(f"nothing answers on port {port}")


def start_serving(
    command: list[str],
    env: Mapping[str, str],
    port: int,
    *,
    path: str = "/",
    ok_only: bool = False,
    **popen: Any,
) -> subprocess.Popen[bytes]:
    """Start a server process and return it once it answers on ``port`` (killed if it never
    does). ``popen`` overrides where its output goes (nowhere by default)."""
    options = {"stdout": subprocess.DEVNULL, "stderr": subprocess.DEVNULL, **popen}
    process = subprocess.Popen(command, env=dict(env), **options)
    try:
        wait_until_serving(port, path=path, ok_only=ok_only)
    except BaseException:
        process.kill()
        process.wait()
        raise
    return process


def serve_portal(port: int, env: Mapping[str, str], **popen: Any) -> subprocess.Popen[bytes]:
    """``portal serve`` on ``port``, returned once ``/health`` answers 200 (the database too)."""
    command = [sys.executable, "-m", "portal.cli", "serve", "--port", str(port)]
    return start_serving(command, env, port, path="/health", ok_only=True, **popen)


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
    process = serve_portal(port, environment)
    try:
        yield f"http://127.0.0.1:{port}", environment
    finally:
        process.terminate()
        process.wait(timeout=20)

"""Start a real ``portal serve`` on loopback for a benchmark, and stop it after."""

from __future__ import annotations

import contextlib
import http.client
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
    port: int, *, path: str = "/", ok_only: bool = False, seconds: float = 180
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


def serve_portal(
    port: int, env: Mapping[str, str], *, workers: int = 1, **popen: Any
) -> subprocess.Popen[bytes]:
    """``portal serve`` on ``port``, returned once ``/health`` answers 200 (the database too)."""
    command = [sys.executable, "-m", "portal.cli", "serve", "--port", str(port)]
    command += ["--workers", str(workers)]
    return start_serving(command, env, port, path="/health", ok_only=True, **popen)


#: In the environment a bench gets back: the ``portal serve`` command's process id.
SERVE_PID = "PORTAL_BENCH_SERVE_PID"


@contextmanager
def portal_server(*, workers: int = 1, **env: str) -> Iterator[tuple[str, dict[str, str]]]:
    """``(base_url, environment)`` of a fresh portal on a temporary SQLite database
    (or ``PORTAL_DATABASE_URL`` if given), served by ``workers`` processes (several need
    ``PORTAL_REDIS_URL``)."""
    workdir = Path(tempfile.mkdtemp(prefix="portal-bench-"))
    port = free_port()
    environment = {
        **os.environ,
        "PORTAL_DATABASE_URL": f"sqlite+aiosqlite:///{workdir}/bench.db",
        "PORTAL_STORAGE_DIR": str(workdir / "storage"),
        "PORTAL_BASE_URL": f"http://127.0.0.1:{port}",
        **env,
    }
    process = serve_portal(port, environment, workers=workers)
    base = f"http://127.0.0.1:{port}"
    try:
        if workers > 1:
            wait_for_workers(port, process.pid, workers)
        yield base, {**environment, SERVE_PID: str(process.pid)}
    finally:
        process.terminate()
        process.wait(timeout=60)


def worker_pids(supervisor: int) -> list[int]:
    """The worker processes of ``portal serve --workers N`` (Linux: read from /proc)."""
    pids = []
    for task in Path(f"/proc/{supervisor}/task").iterdir():
        try:
            children = (task / "children").read_text().split()
        except OSError:
            continue
        for child in children:
            try:
                if b"spawn_main" in Path(f"/proc/{child}/cmdline").read_bytes():
                    pids.append(int(child))
            except OSError:
                continue
    return sorted(pids)


def _server_inodes(port: int, client_port: int | None = None) -> set[str]:
    """The sockets on ``port`` established (from ``client_port``, if given)."""
    inodes: set[str] = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        with contextlib.suppress(OSError):
            for line in Path(table).read_text().splitlines()[1:]:
                fields = line.split()
                if (
                    int(fields[1].rsplit(":", 1)[1], 16) == port
                    and fields[3] == "01"
                    and (client_port is None or int(fields[2].rsplit(":", 1)[1], 16) == client_port)
                ):
                    inodes.add(f"socket:[{fields[9]}]")
    return inodes


def _held(pid: int, inodes: set[str]) -> int:
    held = 0
    with contextlib.suppress(OSError):
        for descriptor in os.listdir(f"/proc/{pid}/fd"):
            with contextlib.suppress(OSError):
                held += os.readlink(f"/proc/{pid}/fd/{descriptor}") in inodes
    return held


def wait_for_workers(port: int, supervisor: int, workers: int, within: float = 180) -> list[int]:
    """Wait until each of the ``workers`` processes has answered a request; their ids."""
    answered: set[int] = set()
    deadline = time.monotonic() + within
    while time.monotonic() < deadline:
        pids = worker_pids(supervisor)
        if len(pids) == workers:
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
            try:
                connection.request("GET", "/health/live")
                connection.getresponse().read()
                assert connection.sock is not None
                inodes = _server_inodes(port, connection.sock.getsockname()[1])
                answered.update(pid for pid in pids if _held(pid, inodes))
            finally:
                connection.close()
            if answered >= set(pids):
                return pids
        time.sleep(0.05)
    raise RuntimeError(f"not every one of {workers} workers answered within {within:.0f} s")


def connections_by_process(pids: list[int], port: int) -> dict[int, int]:
    """How many established TCP connections on ``port`` each of ``pids`` holds."""
    inodes = _server_inodes(port)
    return {pid: _held(pid, inodes) for pid in pids}

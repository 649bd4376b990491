"""Which process of a ``portal serve --workers N`` holds a connection, read from ``/proc``
(Linux): the supervisor's worker children, and the owner of the server end of a TCP
connection whose client end is on a given local port."""

from __future__ import annotations

import http.client
import os
import time
from collections.abc import Iterable
from pathlib import Path


def worker_pids(supervisor: int) -> set[int]:
    """The supervisor's worker processes (not multiprocessing's resource tracker)."""
    pids: set[int] = set()
    for task in Path(f"/proc/{supervisor}/task").iterdir():
        try:
            children = (task / "children").read_text().split()
        except OSError:
            continue
        for child in children:
            try:
                command = Path(f"/proc/{child}/cmdline").read_bytes()
            except OSError:
                continue
            if b"spawn_main" in command:
                pids.add(int(child))
    return pids


def _server_inode(server_port: int, client_port: int) -> str | None:
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        try:
            lines = Path(table).read_text().splitlines()[1:]
        except OSError:
            continue
        for line in lines:
            fields = line.split()
            local, remote, inode = fields[1], fields[2], fields[9]
            if (
                int(local.rsplit(":", 1)[1], 16) == server_port
                and int(remote.rsplit(":", 1)[1], 16) == client_port
                and inode != "0"
            ):
                return inode
    return None


def _holds(pid: int, inode: str) -> bool:
    target = f"socket:[{inode}]"
    try:
        descriptors = os.listdir(f"/proc/{pid}/fd")
    except OSError:
        return False
    for descriptor in descriptors:
        try:
            if os.readlink(f"/proc/{pid}/fd/{descriptor}") == target:
                return True
        except OSError:
            continue
    return False


def serving_pid(
    pids: set[int], server_port: int, client_port: int, within: float = 5.0
) -> int | None:
    """Which of ``pids`` accepted the connection from ``client_port`` (it may still wait in
    the accept queue for a moment)."""
    deadline = time.monotonic() + within
    while True:
        inode = _server_inode(server_port, client_port)
        if inode is not None:
            for pid in pids:
                if _holds(pid, inode):
                    return pid
        if time.monotonic() > deadline:
            return None
        time.sleep(0.02)


def get(
    port: int, path: str, *, pids: Iterable[int] = (), headers: dict[str, str] | None = None
) -> tuple[int, bytes, int | None]:
    """GET ``path`` on a connection of its own: (status, body, which of ``pids`` answered,
    read while the connection is still open)."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        connection.request("GET", path, headers=headers or {})
        response = connection.getresponse()
        body = response.read()
        assert connection.sock is not None
        client_port = connection.sock.getsockname()[1]
        pid = serving_pid(set(pids), port, client_port, within=1.0) if pids else None
        return response.status, body, pid
    finally:
        connection.close()

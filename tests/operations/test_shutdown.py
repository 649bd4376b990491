"""``portal serve`` on SIGTERM: stops taking connections, finishes the request in flight,
exits 0; with PORTAL_LOG_FORMAT=json every line it wrote is JSON."""

import json
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_serve_finishes_the_request_in_flight_on_sigterm(tmp_path: Path) -> None:
    # given a portal serving on loopback
    port = _free_port()
    env = {
        **os.environ,
        "PORTAL_DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path}/serve.db",
        "PORTAL_STORAGE_DIR": str(tmp_path / "storage"),
        "PORTAL_LOG_FORMAT": "json",
    }
    env.pop("PORTAL_REDIS_URL", None)
    server = subprocess.Popen(
        [sys.executable, "-m", "portal.cli", "serve", "--port", str(port)],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                if httpx.get(f"http://127.0.0.1:{port}/health/live", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                assert time.monotonic() < deadline, "the portal did not start"
                time.sleep(0.2)
        # and a request whose body is still arriving
        body = json.dumps({"query": "query Ping { __typename }"}).encode()
        connection = socket.create_connection(("127.0.0.1", port), timeout=30)
        connection.sendall(
            b"POST /graphql HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
            + f"Content-Length: {len(body)}\r\nX-Request-Id: in-flight-1\r\n\r\n".encode()
            + body[:10]
        )
        time.sleep(0.5)
        # when the process is told to stop
        server.send_signal(signal.SIGTERM)
        time.sleep(0.5)
        connection.sendall(body[10:])
        answer = b""
        while b"__typename" not in answer:
            chunk = connection.recv(65536)
            if not chunk:
                break
            answer += chunk
        connection.close()
        # then the request was answered, and the process ends cleanly
        assert answer.startswith(b"HTTP/1.1 200"), answer[:200]
        assert b'"__typename":"Query"' in answer
        assert server.wait(timeout=40) == 0
    finally:
        if server.poll() is None:
            server.kill()
    logged = server.stderr.read().decode().splitlines() if server.stderr else []
    lines = [json.loads(line) for line in logged if line.strip()]
    assert [line for line in lines if line.get("request_id") == "in-flight-1"]
    assert all("level" in line and "timestamp" in line for line in lines)

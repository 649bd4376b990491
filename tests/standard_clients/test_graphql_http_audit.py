"""The `graphql-http` audit suite (npm) against a real `portal serve`: every MUST and every
SHOULD audit passes, in development and in production (with a signed-in caller, whom the
introspection audit needs there)."""

from __future__ import annotations

import base64
import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from core.identity.roles import Role
from core.settings import Settings
from tests.notifications.helpers import free_port, wait_until
from tests.people import People

ROOT = Path(__file__).resolve().parents[2]
AUDIT = Path(__file__).with_name("graphql_http_audit.mjs")

pytestmark = pytest.mark.skipif(
    shutil.which("node") is None or not (ROOT / "node_modules" / "graphql-http").is_dir(),
    reason="needs Node.js and node_modules (python3 dev.py installs them)",
)


def _serve(settings: Settings, env: str, port: int) -> subprocess.Popen[str]:
    environment = {key: value for key, value in os.environ.items() if not key.startswith("PORTAL_")}
    environment.update(
        PORTAL_DATABASE_URL=settings.database_url,
        PORTAL_SECRET_KEY=settings.secret_key,
        PORTAL_STORAGE_DIR=str(settings.storage_dir),
        PORTAL_ENV=env,
    )
    if settings.redis_url:
        environment["PORTAL_REDIS_URL"] = settings.redis_url
    if env == "production":  # production requires a storage key (documents encrypted at rest)
        environment["PORTAL_STORAGE_KEY"] = base64.b64encode(os.urandom(32)).decode()
        environment["PORTAL_ALLOW_PLAIN_HTTP"] = "true"  # loopback, no TLS here
    return subprocess.Popen(
        [sys.executable, "-m", "portal.cli", "serve", "--port", str(port)],
        cwd=ROOT,
        env=environment,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )


@pytest.fixture
def stop() -> Iterator[list[subprocess.Popen[str]]]:
    processes: list[subprocess.Popen[str]] = []
    yield processes
    for process in processes:
        process.terminate()
        process.wait(timeout=30)


@pytest.mark.parametrize("env", ["development", "production"])
async def test_every_must_and_should_audit_of_graphql_http_passes(
    people: People, settings: Settings, stop, env: str
) -> None:
    # given: a signed-in person, and `portal serve` on a free port
    person = await people.signed_in(await people.local_authority(), Role.LA_CASEWORKER)
    port = free_port()
    server = _serve(settings, env, port)
    stop.append(server)
    async with httpx.AsyncClient() as http:

        async def up() -> bool:
            if server.poll() is not None:
                raise AssertionError(f"portal serve exited with {server.returncode}")
            try:
                return (await http.get(f"http://127.0.0.1:{port}/health")).status_code == 200
            except httpx.HTTPError:
                return False

        await wait_until(up, within=60, what="portal serve to start")
    # when
    audit = subprocess.run(
        ["node", str(AUDIT), f"http://127.0.0.1:{port}/graphql"],
        cwd=ROOT,
        env={**os.environ, "PORTAL_TOKEN": person.token},
        capture_output=True,
        text=True,
        timeout=120,
    )
    # then
    assert audit.returncode == 0, audit.stdout + audit.stderr
    assert "MUST: " in audit.stdout and "SHOULD: " in audit.stdout
    must, should = (
        line.split(": ")[1].split(" ")[0]
        for line in audit.stdout.splitlines()
        if line.startswith(("MUST: ", "SHOULD: "))
    )
    assert must.split("/")[0] == must.split("/")[1]
    assert should.split("/")[0] == should.split("/")[1]
    assert server.stdout is not None
    assert server.stdout.readline().strip() == (
        f"Serving the portal at http://127.0.0.1:{port} (GraphQL and GraphiQL: /graphql)"
    )

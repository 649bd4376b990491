"""Finding 8: attempts are counted before they are checked, so concurrency cannot multiply them
(for addresses with and without an account); X-Forwarded-For is believed only from configured
proxies. (Finding 9's slowdown: ``test_sign_in_slowdown.py``.)"""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
import time
from pathlib import Path

import httpx
from sqlalchemy import select

from core.models import AuditEvent
from tests.notifications.helpers import free_port
from tests.people import LOGIN, PASSWORD, VERIFY, People

ROOT = Path(__file__).resolve().parents[2]


async def test_concurrent_wrong_codes_on_one_challenge_are_checked_five_times_at_most(
    people: People, client
) -> None:
    # given a person past the password step
    person = await people.caseworker(await people.local_authority())
    login = (await client.data(LOGIN, {"email": person.email, "password": PASSWORD}))["login"]

    # when 25 wrong codes arrive at once
    results = await asyncio.gather(
        *(
            client.data(VERIFY, {"challenge": login["challenge"], "code": f"{n:06d}"})
            for n in range(100000, 100025)
        )
    )

    # then at most five were checked; the rest were refused as locked
    codes = [r["verifyTotp"]["userErrors"][0]["code"] for r in results]
    assert codes.count("INVALID_CODE") <= 5
    assert codes.count("LOCKED") >= 20


async def _checked(people: People, reason: str) -> int:
    """Sign-in attempts whose password was checked and found wrong, by the audit's reason."""
    async with people.db.session() as session:
        details = (
            await session.scalars(
                select(AuditEvent.details).where(AuditEvent.kind == "LOGIN_FAILED")
            )
        ).all()
    return len([d for d in details if d.get("reason") == reason])


async def test_concurrent_wrong_passwords_are_checked_five_times_at_most(
    people: People, client
) -> None:
    # given
    person = await people.account(await people.local_authority())

    # when 20 wrong passwords arrive at once
    results = await asyncio.gather(
        *(
            client.data(LOGIN, {"email": person.email, "password": f"wrong password {n}"})
            for n in range(20)
        )
    )

    # then at most five were checked; the others were told to wait, unread
    assert await _checked(people, "password") <= 5
    codes = [r["login"]["userErrors"][0]["code"] for r in results]
    assert codes.count("RATE_LIMITED") >= 15


async def test_concurrent_attempts_for_an_address_without_an_account_are_held_alike(
    people: People, client
) -> None:
    # when 20 attempts for an address nobody has arrive at once
    results = await asyncio.gather(
        *(
            client.data(LOGIN, {"email": "nobody.here@example.org", "password": f"guess {n}"})
            for n in range(20)
        )
    )

    # then, as for an account, at most five went through the check
    assert await _checked(people, "unknown email") <= 5
    codes = [r["login"]["userErrors"][0]["code"] for r in results]
    assert codes.count("RATE_LIMITED") >= 15


def _serve(environment: dict[str, str], port: int) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [sys.executable, "-m", "portal.cli", "serve", "--host", "127.0.0.1", "--port", str(port)],
        cwd=ROOT,
        env=environment,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


async def test_x_forwarded_for_is_not_believed_from_an_unconfigured_proxy(
    people: People, settings
) -> None:
    # given the portal served by its own command, with no trusted proxy configured
    port = free_port()
    environment = {
        **os.environ,
        "PORTAL_DATABASE_URL": settings.database_url,
        "PORTAL_SECRET_KEY": settings.secret_key,
        "PORTAL_STORAGE_DIR": str(settings.storage_dir),
        "PORTAL_ENV": "test",
    }
    environment.pop("PORTAL_REDIS_URL", None)
    environment.pop("PORTAL_TRUSTED_PROXIES", None)
    server = _serve(environment, port)
    try:
        async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}") as http:
            deadline = time.monotonic() + 30
            while True:
                try:
                    if (await http.get("/health")).status_code == 200:
                        break
                except httpx.TransportError:
                    pass
                assert time.monotonic() < deadline, "the server did not start"
                await asyncio.sleep(0.2)

            # when a sign-in claims to come from elsewhere
            await http.post(
                "/graphql",
                json={
                    "query": LOGIN,
                    "variables": {"email": "someone@example.org", "password": "x"},
                },
                headers={"X-Forwarded-For": "203.0.113.9"},
            )
    finally:
        server.terminate()
        server.wait(timeout=10)

    # then the address recorded is the peer's
    async with people.db.session() as session:
        addresses = set(await session.scalars(select(AuditEvent.client_address)))
    assert addresses == {"127.0.0.1"}

"""Finding 8 (and the lock message of finding 9): attempts are counted before they are checked,
so concurrency cannot multiply them; a locked account answers like a wrong password;
X-Forwarded-For is believed only from configured proxies."""

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


async def test_concurrent_wrong_passwords_are_checked_five_times_at_most(
    people: People, client
) -> None:
    # given
    person = await people.account(await people.local_authority())

    # when 20 wrong passwords arrive at once
    await asyncio.gather(
        *(
            client.data(LOGIN, {"email": person.email, "password": f"wrong password {n}"})
            for n in range(20)
        )
    )

    # then at most five were checked (the others were refused unread)
    async with people.db.session() as session:
        checked = (
            await session.scalars(
                select(AuditEvent).where(
                    AuditEvent.subject_user_id == person.user_id,
                    AuditEvent.kind == "LOGIN_FAILED",
                )
            )
        ).all()
    assert len([e for e in checked if e.details.get("reason") == "password"]) <= 5
    user = await people.user_row(person)
    assert user.locked_until is not None


async def test_a_locked_account_answers_like_an_unknown_one(people: People, client) -> None:
    # given a locked account
    person = await people.account(await people.local_authority())
    for _ in range(5):
        await client.data(LOGIN, {"email": person.email, "password": "wrong password!"})

    # when
    locked = (await client.data(LOGIN, {"email": person.email, "password": PASSWORD}))["login"]
    unknown = (
        await client.data(LOGIN, {"email": "nobody.here@example.org", "password": PASSWORD})
    )["login"]

    # then
    assert locked == unknown


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

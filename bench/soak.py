"""Soak: N clients (default 100) mixing what providers and LAs do all day, for a given time,
against one ``portal serve`` (PostgreSQL when PORTAL_BENCH_DATABASE_URL names a server).

Each client loops over four operations in turn: the provider's list (``referrals(first:
50)``), a referral's page (its children, the provider's delivery and thread), a message (the
provider writes to the LA, in the thread of another referral: see ``WRITTEN_REFERRALS``) and
the offers (the LA reads a referral's offers and deliveries). Reports requests per second,
p50/p99 by operation, errors by kind, and the server's memory (RSS) after a warm-up, every
30 s, and at the end.

    python -m bench.soak --clients 100 --seconds 600
    PORTAL_BENCH_DATABASE_URL=postgresql+asyncpg://postgres@127.0.0.1:5432/postgres python -m bench.soak
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections import Counter, defaultdict
from datetime import timedelta
from pathlib import Path

import httpx
from sqlalchemy import select

from bench._server import free_port
from bench.databases import analyze, fresh_database
from bench.seed import seed_region
from core.db import Database, create_engine
from core.identity.emails import email_key
from core.identity.roles import OrganisationKind, Role
from core.identity.secrets import SESSION_PREFIX, new_token
from core.identity.viewer import Viewer
from core.models import Home, ProviderRegistration, User, UserRole, UserSession
from core.models.base import utcnow
from core.plugins.registry import build_registry
from core.referrals.content import ChildInput
from core.referrals.service import create_referral, send_referral
from core.settings import Settings
from schema.node import encode_id

#: Referrals whose pages and offers the clients read, and (more of them) referrals whose
#: threads they write to. Kept apart so that the pages read stay the same size all run: were
#: the messages written to the threads that the referral page returns whole, every page would
#: grow by a message per write (thousands over ten minutes), and the server's memory would
#: measure that growing answer rather than whether the server keeps what it should not.
READ_REFERRALS = 20
WRITTEN_REFERRALS = 100
WARM_UP_SECONDS = 60
#: How often the server's memory is sampled while measuring.
RSS_EVERY_SECONDS = 30

PROVIDER_LIST = (
    "{ referrals(first: 50) { edges { node { id reference category status urgency summary "
    "children { age gender } myDelivery { status version } } } } }"
)
REFERRAL_PAGE = """
query ($id: ID!) { node(id: $id) { ... on Referral {
  id reference summary status children { age gender needs } myDelivery { status version }
  thread { id newCount messages { body sentAt isNew } } } } }"""
SEND = """
mutation ($input: SendMessageInput!) { sendMessage(input: $input) {
  message { id } userErrors { field message code } } }"""
OFFERS = """
query ($id: ID!) { node(id: $id) { ... on Referral {
  id offers { id status } deliveries { status version provider { name } } } } }"""


async def _session_token(db: Database, user_id: uuid.UUID) -> str:
    token, token_hash = new_token(SESSION_PREFIX)
    async with db.transaction() as session:
        session.add(
            UserSession(
                user_id=user_id, token_hash=token_hash, expires_at=utcnow() + timedelta(days=2)
            )
        )
    return token


async def prepare(url: str) -> dict[str, object]:
    """A small region, a caseworker and a provider signed in, and referrals that reached it."""
    db = Database(create_engine(url))
    registry, settings = build_registry(), Settings(database_url=url, env="test")
    seeded = await seed_region(db, las=5, providers=50, homes=200)
    la, provider = seeded.las[0], seeded.providers[0]
    async with db.transaction() as session:
        registration_id = await session.scalar(
            select(ProviderRegistration.id).where(ProviderRegistration.organisation_id == provider)
        )
        session.add(
            Home(
                id=uuid.uuid4(),
                registration_id=registration_id,
                provider_id=provider,
                name="Soak House",
                category="RESIDENTIAL",
                min_age=0,
                max_age=17,
                accepts_female=True,
                accepts_male=True,
                accepts_other=True,
                beds=6,
                postcode="B1 1AA",
                local_authority_area="Authority 00",
                contract_type="FRAMEWORK",
                row_number=2,
            )
        )
        caseworker = User(
            id=uuid.uuid4(),
            organisation_id=la,
            email="soak.caseworker@example.org",
            email_key=email_key("soak.caseworker@example.org"),
            name="Soak Caseworker",
            password_hash="!",
            email_opt_outs=[],
        )
        session.add(caseworker)
        await session.flush()
        session.add(UserRole(user_id=caseworker.id, role=Role.LA_CASEWORKER.value))
    viewer = Viewer(
        organisation_id=la,
        organisation_kind=OrganisationKind.LOCAL_AUTHORITY,
        roles=frozenset({Role.LA_CASEWORKER}),
        user_id=caseworker.id,
    )
    referral_ids = []
    for n in range(READ_REFERRALS + WRITTEN_REFERRALS):
        referral = await create_referral(
            db,
            registry,
            viewer,
            category="RESIDENTIAL",
            children=[ChildInput(age=6 + n % 11, gender="FEMALE", needs="Needs a calm home")],
            summary=f"Referral {n}: a girl who needs a residential home.",
            urgency="WITHIN_5_DAYS",
            postcode=None,
            required_from=None,
            details={},
        )
        await send_referral(db, registry, settings, viewer, referral_id=referral.id)
        referral_ids.append(encode_id("Referral", referral.id))
    await analyze(db)
    tokens = {
        "provider": await _session_token(db, seeded.provider_users[provider]),
        "caseworker": await _session_token(db, caseworker.id),
    }
    await db.dispose()
    return {
        "tokens": tokens,
        "referrals": referral_ids[:READ_REFERRALS],
        "written": referral_ids[READ_REFERRALS:],
    }


def rss_kib(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    raise RuntimeError("no VmRSS")


class Results:
    def __init__(self) -> None:
        self.latencies: dict[str, list[float]] = defaultdict(list)
        self.errors: Counter[str] = Counter()
        self.measuring = False


async def client(
    number: int, base: str, world: dict[str, object], results: Results, stop: asyncio.Event
) -> None:
    tokens: dict[str, str] = world["tokens"]  # type: ignore[assignment]
    referrals: list[str] = world["referrals"]  # type: ignore[assignment]
    written: list[str] = world["written"]  # type: ignore[assignment]
    operations = itertools.cycle(("provider list", "referral page", "message", "offers"))
    async with httpx.AsyncClient(base_url=base, timeout=60) as http:
        for n in itertools.count():
            if stop.is_set():
                return
            operation = next(operations)
            referral = referrals[(number + n) % len(referrals)]
            token = tokens["caseworker" if operation == "offers" else "provider"]
            query, variables = {
                "provider list": (PROVIDER_LIST, {}),
                "referral page": (REFERRAL_PAGE, {"id": referral}),
                "message": (
                    SEND,
                    {
                        "input": {
                            "referralId": written[(number + n) % len(written)],
                            "body": f"Client {number}, note {n}.",
                        }
                    },
                ),
                "offers": (OFFERS, {"id": referral}),
            }[operation]
            started = time.perf_counter()
            try:
                response = await http.post(
                    "/graphql",
                    json={"query": query, "variables": variables},
                    headers={"Authorization": f"Bearer {token}"},
                )
                body = response.json() if response.status_code == 200 else None
                if response.status_code != 200:
                    kind = f"HTTP {response.status_code}"
                elif body.get("errors"):
                    kind = "GraphQL error: " + str(body["errors"][0].get("message"))[:60]
                elif operation == "message" and body["data"]["sendMessage"]["userErrors"]:
                    kind = "userError: " + body["data"]["sendMessage"]["userErrors"][0]["code"]
                else:
                    kind = None
            except httpx.HTTPError as error:
                kind = type(error).__name__
            elapsed = time.perf_counter() - started
            if results.measuring:
                if kind is None:
                    results.latencies[operation].append(elapsed)
                else:
                    results.errors[f"{operation}: {kind}"] += 1


def percentile(values: list[float], q: float) -> float:
    return statistics.quantiles(values, n=100)[q - 1] if len(values) > 1 else values[0]


async def soak(clients: int, seconds: int) -> dict[str, object]:
    async with fresh_database() as url:
        world = await prepare(url)
        port = free_port()
        workdir = Path(tempfile.mkdtemp(prefix="portal-soak-"))
        env = {
            **os.environ,
            "PORTAL_DATABASE_URL": url,
            "PORTAL_STORAGE_DIR": str(workdir / "storage"),
            "PORTAL_BASE_URL": f"http://127.0.0.1:{port}",
            "PORTAL_ENV": "test",
        }
        env.pop("PORTAL_REDIS_URL", None)
        log = (workdir / "serve.log").open("wb")
        server = subprocess.Popen(  # noqa: ASYNC220  (started once, before the clients)
            [sys.executable, "-m", "portal.cli", "serve", "--port", str(port)],
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        base = f"http://127.0.0.1:{port}"
        try:
            deadline = time.monotonic() + 60
            while True:
                try:
                    async with httpx.AsyncClient(timeout=1) as probe:
                        if (await probe.get(f"{base}/health")).status_code == 200:
                            break
                except httpx.HTTPError:
                    pass
                if time.monotonic() > deadline:
                    raise RuntimeError("portal serve did not start")
                await asyncio.sleep(0.2)
            results, stop = Results(), asyncio.Event()
            tasks = [
                asyncio.create_task(client(n, base, world, results, stop)) for n in range(clients)
            ]
            await asyncio.sleep(WARM_UP_SECONDS)
            rss_before = rss_kib(server.pid)
            results.measuring = True
            started = time.perf_counter()
            samples = [rss_before]
            while (left := seconds - (time.perf_counter() - started)) > 0:
                await asyncio.sleep(min(RSS_EVERY_SECONDS, left))
                samples.append(rss_kib(server.pid))
            results.measuring = False
            elapsed = time.perf_counter() - started
            rss_after = samples[-1]
            stop.set()
            await asyncio.gather(*tasks)
        finally:
            server.terminate()
            server.wait(timeout=30)
            log.close()
    done = sum(len(v) for v in results.latencies.values())
    return {
        "clients": clients,
        "seconds": seconds,
        "requests": done,
        "rps": round(done / elapsed, 1),
        "by_operation": {
            name: {
                "count": len(values),
                "p50_ms": round(percentile(values, 50) * 1000, 1),
                "p99_ms": round(percentile(values, 99) * 1000, 1),
            }
            for name, values in sorted(results.latencies.items())
        },
        "errors": dict(results.errors),
        "rss_mib_after_warm_up": round(rss_before / 1024, 1),
        "rss_mib_at_end": round(rss_after / 1024, 1),
        "rss_growth_percent": round(100 * (rss_after - rss_before) / rss_before, 1),
        "rss_mib_every_30_s": [round(kib / 1024, 1) for kib in samples],
        "server_log": str(workdir / "serve.log"),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=100)
    parser.add_argument("--seconds", type=int, default=60)
    args = parser.parse_args()
    report = asyncio.run(soak(args.clients, args.seconds))
    print(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()

"""Webhook fan-out: a referral delivered to 1,000 providers, heard by its LA's system.

Seeds 1,000 providers with a home that matches, registers one webhook endpoint of the LA
(REFERRAL_DELIVERED) on a local receiver (a separate uvicorn process on a free loopback
port), then measures in the same run:

  (a) ``send_referral`` without an endpoint, and with it (the same send also writes the
      1,000 webhook deliveries in its unit of work): what the outbox rows cost the send;
  (b) ``deliver_due``: claiming, signing (Standard Webhooks) and POSTing the 1,000
      deliveries and recording each outcome, against
  (c) the floor: the same 1,000 bodies POSTed unsigned from a bare httpx loop with the same
      concurrency, recording nothing.

    python -m bench.webhook_fanout
    PORTAL_BENCH_DATABASE_URL=postgresql+asyncpg://postgres@127.0.0.1:5432/postgres python -m bench.webhook_fanout
"""

from __future__ import annotations

import asyncio
import json
import subprocess
import sys
import time
import uuid

import httpx
from sqlalchemy import func, insert, select

from bench._server import free_port
from bench.databases import analyze, fresh_database
from bench.seed import seed_region
from core.db import Database, create_engine
from core.identity.roles import OrganisationKind, Role
from core.identity.viewer import Viewer
from core.models import Home, ProviderRegistration, WebhookDelivery
from core.models.base import utcnow
from core.plugins.registry import build_registry
from core.referrals.content import ChildInput
from core.referrals.service import create_referral, send_referral
from core.settings import Settings
from core.webhooks.delivery import CONCURRENCY, deliver_due
from core.webhooks.service import create_endpoint

PROVIDERS = 1_000
_count = 0


async def receiver(scope, receive, send) -> None:  # type: ignore[no-untyped-def]
    """The LA system's receiver: reads the body, counts it, answers 204 (GET: the count)."""
    global _count
    if scope["type"] != "http":
        return
    if scope["method"] == "GET":
        await send({"type": "http.response.start", "status": 200, "headers": []})
        await send({"type": "http.response.body", "body": str(_count).encode()})
        return
    more = True
    while more:
        message = await receive()
        more = message.get("more_body", False)
    _count += 1
    await send({"type": "http.response.start", "status": 204, "headers": []})
    await send({"type": "http.response.body", "body": b""})


async def _homes_for_every_provider(db: Database) -> None:
    async with db.transaction() as session:
        registrations = (
            await session.execute(
                select(ProviderRegistration.id, ProviderRegistration.organisation_id)
            )
        ).all()
        await session.execute(
            insert(Home),
            [
                {
                    "id": uuid.uuid4(),
                    "registration_id": registration_id,
                    "provider_id": provider_id,
                    "name": "Fan-out House",
                    "category": "RESIDENTIAL",
                    "min_age": 0,
                    "max_age": 17,
                    "accepts_female": True,
                    "accepts_male": True,
                    "accepts_other": True,
                    "beds": 6,
                    "postcode": "B1 1AA",
                    "local_authority_area": "Authority 00",
                    "contract_type": "FRAMEWORK",
                    "row_number": 2,
                }
                for registration_id, provider_id in registrations
            ],
        )


async def main() -> dict[str, object]:
    port = free_port()
    process = subprocess.Popen(  # noqa: ASYNC220  (started once, stopped below)
        [
            sys.executable,
            "-m",
            "uvicorn",
            "bench.webhook_fanout:receiver",
            "--port",
            str(port),
            "--no-access-log",
            "--log-level",
            "warning",
        ]
    )
    url = f"http://127.0.0.1:{port}/hooks"
    try:
        async with fresh_database() as database_url:
            return await _measure(database_url, url)
    finally:
        process.terminate()
        process.wait()


async def _received(client: httpx.AsyncClient, url: str) -> int:
    return int((await client.get(url)).text)


async def _measure(database_url: str, url: str) -> dict[str, object]:
    db = Database(create_engine(database_url))
    registry = build_registry()
    settings = Settings(database_url=database_url, env="test", webhook_allow_private=True)
    seeded = await seed_region(db, las=5, providers=PROVIDERS, homes=2 * PROVIDERS)
    await _homes_for_every_provider(db)
    await analyze(db)
    la = seeded.las[0]
    caseworker = Viewer(
        organisation_id=la,
        organisation_kind=OrganisationKind.LOCAL_AUTHORITY,
        roles=frozenset({Role.LA_CASEWORKER}),
    )
    admin = Viewer(
        organisation_id=la,
        organisation_kind=OrganisationKind.LOCAL_AUTHORITY,
        roles=frozenset({Role.LA_ADMIN}),
    )

    async def send() -> tuple[float, int]:
        referral = await create_referral(
            db,
            registry,
            caseworker,
            category="RESIDENTIAL",
            children=[ChildInput(age=14, gender="FEMALE")],
            summary="A girl of 14",
            urgency="TODAY",
            postcode=None,
            required_from=None,
            details={},
        )
        started = time.perf_counter()
        result = await send_referral(db, registry, settings, caseworker, referral_id=referral.id)
        return time.perf_counter() - started, result.delivered_count

    async with httpx.AsyncClient(trust_env=False, timeout=30) as probe:
        for _ in range(50):
            try:
                await _received(probe, url)
                break
            except httpx.HTTPError:
                await asyncio.sleep(0.2)
        without_seconds, delivered = await send()
        await create_endpoint(db, settings, admin, url=url, events=["REFERRAL_DELIVERED"])
        with_seconds, delivered_again = await send()
        async with db.session() as session:
            written = int(await session.scalar(select(func.count()).select_from(WebhookDelivery)))
            bodies = list(await session.scalars(select(WebhookDelivery.body)))
        # Warm the receiver up (unmeasured), so neither side pays for its first connections.
        warm = httpx.AsyncClient(
            trust_env=False, timeout=10, limits=httpx.Limits(max_connections=CONCURRENCY)
        )
        async with warm:
            await asyncio.gather(*(warm.post(url, content=b"{}") for _ in range(200)))
        warmed = await _received(probe, url)
        # (b) the portal's delivery
        started = time.perf_counter()
        report = await deliver_due(db, settings)
        deliver_seconds = time.perf_counter() - started
        received_by_portal = await _received(probe, url)
        # (c) the floor: bare POSTs, same concurrency, nothing signed or recorded
        limit = asyncio.Semaphore(CONCURRENCY)
        async with httpx.AsyncClient(
            trust_env=False, timeout=10, limits=httpx.Limits(max_connections=CONCURRENCY)
        ) as bare:

            async def post(body: str) -> None:
                async with limit:
                    response = await bare.post(
                        url, content=body, headers={"content-type": "application/json"}
                    )
                    response.raise_for_status()

            started = time.perf_counter()
            await asyncio.gather(*(post(b) for b in bodies))
            floor_seconds = time.perf_counter() - started
        received_in_all = await _received(probe, url)
    await db.dispose()
    assert delivered == delivered_again == PROVIDERS, (delivered, delivered_again)
    assert written == PROVIDERS and report.delivered == PROVIDERS, (written, report)
    assert received_by_portal - warmed == PROVIDERS
    assert received_in_all - warmed == 2 * PROVIDERS
    return {
        "benchmark": "webhook fan-out: a referral delivered to 1,000 providers",
        "database": database_url.split(":")[0],
        "deliveries": PROVIDERS,
        "send_without_endpoint_ms": round(without_seconds * 1000, 1),
        "send_with_endpoint_ms": round(with_seconds * 1000, 1),
        "deliveries_written_in_send_ms": round((with_seconds - without_seconds) * 1000, 1),
        "deliver_seconds": round(deliver_seconds, 2),
        "deliveries_per_second": round(PROVIDERS / deliver_seconds),
        "bare_post_seconds": round(floor_seconds, 2),
        "bare_posts_per_second": round(PROVIDERS / floor_seconds),
        "deliver_vs_bare": round(deliver_seconds / floor_seconds, 2),
        "measured_at": utcnow().isoformat(timespec="seconds"),
    }


if __name__ == "__main__":
    outcome = asyncio.run(main())
    print(json.dumps(outcome))
    print(
        f"{outcome['database']}: 1,000 deliveries written in the send (+"
        f"{outcome['deliveries_written_in_send_ms']} ms), sent in {outcome['deliver_seconds']} s "
        f"({outcome['deliveries_per_second']}/s; bare POSTs {outcome['bare_posts_per_second']}/s)"
    )

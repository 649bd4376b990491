"""How long does sending a referral take, against the bare query that finds its homes?

Seeds 50 LAs, 2,000 providers and 10,000 homes, then in the same run measures
  (a) a hand-written SQL SELECT of the homes matching a referral (the floor), and
  (b) ``send_referral``: match, plugin rules, deliveries, matched homes, notifications and
      outbox emails for every recipient, committed in one transaction,
on fresh referrals (median of several). Target: (b) within 10x (a).

    python -m bench.referral_fanout            # SQLite file
    PORTAL_BENCH_DATABASE_URL=postgresql+asyncpg://postgres@127.0.0.1:5432/postgres python -m bench.referral_fanout
"""

from __future__ import annotations

import asyncio
import json
import statistics
import sys
import time

from sqlalchemy import text

from bench.databases import analyze, fresh_database
from bench.seed import seed_region
from core.db import Database, create_engine
from core.identity.roles import OrganisationKind, Role
from core.identity.viewer import Viewer
from core.plugins.registry import build_registry
from core.referrals.content import ChildInput
from core.referrals.service import create_referral, send_referral
from core.settings import Settings

RUNS = 7
CHILDREN = [ChildInput(age=14, gender="FEMALE"), ChildInput(age=12, gender="FEMALE")]

BARE_SQL = """
SELECT h.id, h.provider_id FROM homes h JOIN provider_registrations r ON r.id = h.registration_id
WHERE h.category = :category AND h.retired_at IS NULL AND r.status = 'APPROVED'
  AND h.min_age <= :youngest AND h.max_age >= :oldest AND h.beds >= :beds AND h.accepts_female
"""


async def main() -> dict[str, object]:
    async with fresh_database() as url:
        db = Database(create_engine(url))
        registry = build_registry()
        settings = Settings(database_url=url, env="test")
        started = time.perf_counter()
        seeded = await seed_region(db)
        seed_seconds = time.perf_counter() - started
        await analyze(db)
        la = seeded.las[0]
        viewer = Viewer(
            organisation_id=la,
            organisation_kind=OrganisationKind.LOCAL_AUTHORITY,
            roles=frozenset({Role.LA_CASEWORKER}),
        )
        bare, sends, delivered = [], [], []
        params = {"category": "RESIDENTIAL", "youngest": 12, "oldest": 14, "beds": 2}
        for _ in range(RUNS):
            async with db.session() as session:
                t = time.perf_counter()
                rows = (await session.execute(text(BARE_SQL), params)).all()
                bare.append(time.perf_counter() - t)
            referral = await create_referral(
                db,
                registry,
                viewer,
                category="RESIDENTIAL",
                children=CHILDREN,
                summary="Two sisters",
                urgency="TODAY",
                postcode=None,
                required_from=None,
                details={},
            )
            t = time.perf_counter()
            result = await send_referral(db, registry, settings, viewer, referral_id=referral.id)
            sends.append(time.perf_counter() - t)
            delivered.append(result.delivered_count)
        await db.dispose()
    bare_ms, send_ms = statistics.median(bare) * 1000, statistics.median(sends) * 1000
    return {
        "benchmark": "sendReferral fan-out vs the bare matching SELECT",
        "database": url.split(":")[0],
        "seed_seconds": round(seed_seconds, 1),
        "matching_homes": len(rows),
        "providers_delivered": delivered[0],
        "bare_select_ms": round(bare_ms, 2),
        "send_ms": round(send_ms, 2),
        "ratio": round(send_ms / bare_ms, 1),
        "send_runs_ms": [round(s * 1000, 1) for s in sends],
        "target_ratio": 10,
    }


if __name__ == "__main__":
    outcome = asyncio.run(main())
    print(json.dumps(outcome))
    print(
        f"{outcome['database']}: bare SELECT {outcome['bare_select_ms']} ms ({outcome['matching_homes']} homes); "
        f"send {outcome['send_ms']} ms to {outcome['providers_delivered']} providers; ratio {outcome['ratio']} (target <= 10)"
    )
    sys.exit(0 if outcome["ratio"] <= 10 else 1)

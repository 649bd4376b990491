"""How long do the sufficiency figures take, against one hand-written query for the largest?

Seeds the region of ``bench.seed`` (50 LAs, 2,000 providers, 10,000 homes) and, in bulk
(executemany), 100,000 sent referrals over a year with their deliveries (0 to 12 each: some
reach nobody) and offers (about 1.5 a referral, a third of referrals placed), then in the same
run measures (median of several):
  (a) the hand-written SQL of the largest figure: the median of providers reached per referral
      over every referral (an aggregate of every delivery);
  (b) ``placement_statistics`` for the region: every figure of ``placementStatistics``.
Target: (b) within 5x (a).

And the matching SELECT of one referral (the core criteria with the vacancy column) with the
category's ``vacancyRule`` PREFER against IGNORE, over homes of which a third declared a
current vacancy, a sixth a stale one. Target: PREFER within 1.5x IGNORE.

    python -m bench.placement_statistics            # SQLite file
    PORTAL_BENCH_DATABASE_URL=postgresql+asyncpg://postgres@127.0.0.1:5432/postgres python -m bench.placement_statistics
"""

from __future__ import annotations

import asyncio
import json
import random
import statistics
import sys
import time
import uuid
from datetime import timedelta

from sqlalchemy import insert, text, update

from bench.databases import analyze, fresh_database
from bench.seed import CATEGORIES, seed_region
from core.db import Database, create_engine
from core.models import Home, Offer, Referral, ReferralDelivery
from core.models.base import utcnow
from core.referrals.matching import core_criteria
from core.settings import Settings
from core.statistics import Scope, placement_statistics
from core.vacancies import vacancy_check
from core.vacancy_rule import VacancyRule

REFERRALS = 100_000
RUNS = 5
MATCH_RUNS = 15
CHUNK = 5_000
CODES = ("NO_VACANCY", "CANNOT_MEET_NEEDS", "LOCATION", "RISK", "COST", "OTHER")
URGENCIES = ("TODAY", "WITHIN_5_DAYS", "OVER_5_DAYS")

#: The median of providers reached per referral, by hand (each database's own way).
LARGEST_FIGURE = {
    "postgresql": """
SELECT percentile_cont(0.5) WITHIN GROUP (ORDER BY n) FROM (
  SELECT count(d.id) AS n FROM referrals r
  LEFT JOIN referral_deliveries d ON d.referral_id = r.id
  WHERE r.first_sent_at IS NOT NULL GROUP BY r.id) AS per_referral
""",
    "sqlite": """
WITH per_referral AS (
  SELECT count(d.id) AS n FROM referrals r
  LEFT JOIN referral_deliveries d ON d.referral_id = r.id
  WHERE r.first_sent_at IS NOT NULL GROUP BY r.id)
SELECT avg(n) FROM (SELECT n FROM per_referral ORDER BY n
  LIMIT 2 - (SELECT count(*) FROM per_referral) % 2
  OFFSET ((SELECT count(*) FROM per_referral) - 1) / 2)
""",
}


async def seed_history(db: Database, las: list[uuid.UUID], providers: list[uuid.UUID]) -> int:
    """100,000 referrals sent over the last year, with deliveries and offers; returns how many
    rows were written in all."""
    rng = random.Random(18)
    now = utcnow()
    homes: dict[uuid.UUID, uuid.UUID] = {}
    async with db.session() as session:
        for home_id, provider_id in (
            await session.execute(text("SELECT id, provider_id FROM homes"))
        ).all():
            homes.setdefault(uuid.UUID(str(provider_id)), uuid.UUID(str(home_id)))
    referrals, deliveries, offers = [], [], []
    for i in range(REFERRALS):
        sent = now - timedelta(minutes=rng.randrange(365 * 24 * 60))
        referral_id = uuid.uuid4()
        referrals.append(
            {
                "id": referral_id,
                "local_authority_id": las[i % len(las)],
                "reference": f"BEN-2026-{i:07d}",
                "category": CATEGORIES[rng.randrange(4)],
                "status": "SENT",
                "urgency": URGENCIES[rng.randrange(3)],
                "version": 1,
                "children": [{"age": rng.randrange(18), "gender": "FEMALE"}],
                "summary": "Bench referral",
                "details": {},
                "created_at": sent,
                "updated_at": sent,
                "sent_at": sent,
                "first_sent_at": sent,
            }
        )
        reached = rng.sample(providers, rng.choice((0, 1, 2, 3, 4, 5, 6, 8, 10, 12)))
        placed = rng.random() < 0.35
        for n, provider in enumerate(reached):
            declined = rng.random() < 0.3
            deliveries.append(
                {
                    "id": uuid.uuid4(),
                    "referral_id": referral_id,
                    "provider_id": provider,
                    "status": "DECLINED" if declined else "NEW",
                    "version": 1,
                    "delivered_at": sent,
                    "declined_at": sent + timedelta(hours=2) if declined else None,
                    "decline_reason": "Bench" if declined else None,
                    "decline_reason_code": CODES[rng.randrange(6)] if declined else None,
                }
            )
            if declined or rng.random() > 0.3:
                continue
            submitted = sent + timedelta(minutes=rng.randrange(60, 72 * 60))
            accepted = placed and n == 0
            offers.append(
                {
                    "id": uuid.uuid4(),
                    "referral_id": referral_id,
                    "provider_id": provider,
                    "home_id": homes[provider],
                    "status": "ACCEPTED" if accepted else rng.choice(("SUBMITTED", "DECLINED")),
                    "version": 1,
                    "core_fee_pence": rng.randrange(60_000, 900_000),
                    "additional_costs": [
                        {"description": "Support", "amountPence": 5_000, "frequency": "WEEKLY"}
                    ],
                    "details": {},
                    "submitted_at": submitted,
                    "updated_at": submitted,
                    "decided_at": submitted + timedelta(hours=6) if accepted else None,
                    "decline_reason_code": "COST",
                }
            )
    async with db.transaction() as session:
        for table, rows in ((Referral, referrals), (ReferralDelivery, deliveries), (Offer, offers)):
            for start in range(0, len(rows), CHUNK):
                await session.execute(insert(table), rows[start : start + CHUNK])
        # Vacancies: a third of homes declared one (current), a sixth a stale one.
        await session.execute(
            update(Home)
            .values(vacancy_beds_free=2, vacancy_confirmed_at=now - timedelta(days=1))
            .where(text("ofsted_urn LIKE '%0' OR ofsted_urn LIKE '%3' OR ofsted_urn LIKE '%6'"))
        )
        await session.execute(
            update(Home)
            .values(vacancy_beds_free=1, vacancy_confirmed_at=now - timedelta(days=40))
            .where(text("ofsted_urn LIKE '%1' OR ofsted_urn LIKE '%8'"))
        )
    return len(referrals) + len(deliveries) + len(offers)


async def main() -> dict[str, object]:
    async with fresh_database() as url:
        db = Database(create_engine(url))
        settings = Settings(database_url=url, env="test")
        started = time.perf_counter()
        seeded = await seed_region(db)
        rows = await seed_history(db, seeded.las, seeded.providers)
        seed_seconds = time.perf_counter() - started
        await analyze(db)
        dialect = db.engine.dialect.name
        by_hand, figures_runs = [], []
        children = [{"age": 14, "gender": "FEMALE"}, {"age": 12, "gender": "FEMALE"}]
        check = vacancy_check(settings, len(children), None)
        ignore = core_criteria("RESIDENTIAL", children, vacancy=check, rule=VacancyRule.IGNORE)
        prefer = core_criteria("RESIDENTIAL", children, vacancy=check, rule=VacancyRule.PREFER)
        for _ in range(RUNS):
            async with db.session() as session:
                t = time.perf_counter()
                median_by_hand = (await session.execute(text(LARGEST_FIGURE[dialect]))).scalar()
                by_hand.append(time.perf_counter() - t)
                t = time.perf_counter()
                figures = await placement_statistics(session, Scope())
                figures_runs.append(time.perf_counter() - t)
        assert figures.median_providers_reached == float(median_by_hand), (
            figures.median_providers_reached,
            median_by_hand,
        )
        ignore_runs, prefer_runs = [], []
        for _ in range(MATCH_RUNS):
            async with db.session() as session:
                t = time.perf_counter()
                ignored = (await session.execute(ignore)).all()
                ignore_runs.append(time.perf_counter() - t)
                t = time.perf_counter()
                preferred = (await session.execute(prefer)).all()
                prefer_runs.append(time.perf_counter() - t)
        await db.dispose()
    by_hand_ms = statistics.median(by_hand) * 1000
    figures_ms = statistics.median(figures_runs) * 1000
    ignore_ms = statistics.median(ignore_runs) * 1000
    prefer_ms = statistics.median(prefer_runs) * 1000
    return {
        "benchmark": "placementStatistics vs the hand-written SQL of its largest figure; "
        "matching with vacancyRule PREFER vs IGNORE",
        "database": url.split(":")[0],
        "seed_seconds": round(seed_seconds, 1),
        "rows_seeded": rows,
        "referrals": figures.referrals_sent,
        "largest_figure_by_hand_ms": round(by_hand_ms, 1),
        "placement_statistics_ms": round(figures_ms, 1),
        "statistics_ratio": round(figures_ms / by_hand_ms, 2),
        "statistics_runs_ms": [round(s * 1000, 1) for s in figures_runs],
        "matching_homes_ignore": len(ignored),
        "matching_homes_prefer": len(preferred),
        "match_ignore_ms": round(ignore_ms, 2),
        "match_prefer_ms": round(prefer_ms, 2),
        "match_ratio": round(prefer_ms / ignore_ms, 2),
        "target_statistics_ratio": 5,
        "target_match_ratio": 1.5,
    }


if __name__ == "__main__":
    outcome = asyncio.run(main())
    print(json.dumps(outcome))
    print(
        f"{outcome['database']}: {outcome['referrals']} referrals; largest figure by hand "
        f"{outcome['largest_figure_by_hand_ms']} ms; placementStatistics "
        f"{outcome['placement_statistics_ms']} ms; ratio {outcome['statistics_ratio']} (target <= 5); "
        f"matching PREFER {outcome['match_prefer_ms']} ms vs IGNORE {outcome['match_ignore_ms']} ms; "
        f"ratio {outcome['match_ratio']} (target <= 1.5)"
    )
    ok = outcome["statistics_ratio"] <= 5 and outcome["match_ratio"] <= 1.5
    sys.exit(0 if ok else 1)

"""Throughput of a provider's ``referrals(first: 50)`` against a hand-written endpoint, and
with the access log on against off.

Seeds the region (bench/seed.py), sends 60 referrals that reach one provider, then serves
the same database three times on loopback, one process each: ``portal serve`` (GraphQL, the
access log on: 50 rows per request), ``portal serve`` with ``PORTAL_ACCESS_LOG=false`` and
bench/baseline_app.py (raw SQL + orjson, the same fields). wrk (Debian's package) drives
each in turn, alternating, after an unmeasured warm-up of each. Targets: GraphQL at no less
than 0.5x the baseline's rps; the access log on at no less than 0.9x of it off.

    python -m bench.provider_referrals
    PORTAL_BENCH_DATABASE_URL=postgresql+asyncpg://postgres@127.0.0.1:5432/postgres python -m bench.provider_referrals
"""

from __future__ import annotations

import asyncio
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any

import httpx
from sqlalchemy import select

from bench._server import free_port, serve_portal, start_serving
from bench.databases import analyze, fresh_database
from bench.seed import add_home, seed_region, sent_referrals
from core.db import Database, create_engine
from core.identity.roles import OrganisationKind, Role
from core.identity.secrets import SESSION_PREFIX, new_token
from core.identity.viewer import Viewer
from core.models import UserSession
from core.models.base import utcnow
from core.plugins.registry import build_registry
from core.settings import Settings

QUERY = (
    "{ referrals(first: 50) { edges { node { id reference category status urgency summary "
    "children { age gender } myDelivery { status version } } } } }"
)
WARM_UP_SECONDS = 5
WRK_SCRIPT = """
local body = io.open(os.getenv("BODY_FILE")):read("*a")
wrk.method = "POST"
wrk.body = body
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Authorization"] = "Bearer " .. os.getenv("TOKEN")
function done(s, lat, _)
  io.write(string.format('{"rps":%.1f,"p50_ms":%.2f,"p99_ms":%.2f,"non2xx":%d}\\n',
    s.requests / (s.duration / 1e6), lat:percentile(50) / 1e3, lat:percentile(99) / 1e3, s.errors.status))
end
"""


async def prepare(url: str) -> str:
    db = Database(create_engine(url))
    registry, settings = build_registry(), Settings(database_url=url, env="test")
    seeded = await seed_region(db)
    provider = seeded.providers[0]
    async with db.transaction() as session:
        await add_home(session, provider, "Bench House")
        token, token_hash = new_token(SESSION_PREFIX)
        session.add(
            UserSession(
                user_id=seeded.provider_users[provider],
                token_hash=token_hash,
                expires_at=utcnow() + timedelta(days=1),
            )
        )
    viewer = Viewer(
        organisation_id=seeded.las[0],
        organisation_kind=OrganisationKind.LOCAL_AUTHORITY,
        roles=frozenset({Role.LA_CASEWORKER}),
    )
    await sent_referrals(db, registry, settings, viewer, 60)
    await analyze(db)
    await db.dispose()
    return token


def wrk(port: int, token: str, body_file: str, script: str, seconds: int) -> dict[str, float]:
    output = subprocess.run(
        ["wrk", "-t1", "-c8", f"-d{seconds}s", "-s", script, f"http://127.0.0.1:{port}/graphql"],
        env={**os.environ, "TOKEN": token, "BODY_FILE": body_file},
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    return json.loads(output.strip().splitlines()[-1])


@dataclass
class Run:
    """A seeded database and what wrk needs to drive ``referrals(first: 50)`` against it."""

    runner: asyncio.Runner
    context: Any  # fresh_database()'s context, left by the caller when it is done
    url: str
    token: str
    workdir: Path
    body_file: Path
    script: Path
    env: dict[str, str]


def prepare_run() -> Run:
    """Seed a fresh database (``prepare``) and write wrk's body and script."""
    # One loop for the whole run: a loop closed after seeding would finalise the database
    # context (on PostgreSQL: drop the database the servers are about to use).
    runner = asyncio.Runner()
    context = fresh_database()
    url = runner.run(context.__aenter__())
    token = runner.run(prepare(url))
    workdir = Path(tempfile.mkdtemp(prefix="portal-bench-"))
    body_file, script = workdir / "body.json", workdir / "wrk.lua"
    body_file.write_text(json.dumps({"query": QUERY}))
    script.write_text(WRK_SCRIPT)
    env = {**os.environ, "PORTAL_DATABASE_URL": url, "PORTAL_STORAGE_DIR": str(workdir / "storage")}
    return Run(runner, context, url, token, workdir, body_file, script, env)


def main() -> dict[str, object]:
    if shutil.which("wrk") is None:
        sys.exit("wrk is needed: apt-get install wrk")

    run = prepare_run()
    runner, context, url, token, env = run.runner, run.context, run.url, run.token, run.env
    body_file, script = run.body_file, run.script
    graphql_port, baseline_port, log_off_port = free_port(), free_port(), free_port()
    graphql = serve_portal(graphql_port, env)
    log_off = serve_portal(log_off_port, {**env, "PORTAL_ACCESS_LOG": "false"})
    baseline = start_serving(
        [
            sys.executable,
            "-m",
            "uvicorn",
            "bench.baseline_app:app",
            "--port",
            str(baseline_port),
            "--no-access-log",
            "--log-level",
            "warning",
        ],
        env,
        baseline_port,
    )

    def check_same() -> None:
        same = [
            httpx.post(
                f"http://127.0.0.1:{p}/graphql",
                json={"query": QUERY},
                headers={"Authorization": f"Bearer {token}"},
            ).json()
            for p in (graphql_port, baseline_port, log_off_port)
        ]
        assert same[0] == same[1] == same[2], "the endpoints do not return the same JSON"
        assert len(same[0]["data"]["referrals"]["edges"]) == 50

    try:
        check_same()
        # Warm up both, unmeasured: caches fill, and the work `portal serve` does once at start
        # (in-process sweeps on the embedded default) is over before the measured runs.
        for port in (graphql_port, baseline_port, log_off_port):
            wrk(port, token, str(body_file), str(script), WARM_UP_SECONDS)
        results: dict[str, list[dict[str, float]]] = {"graphql": [], "baseline": [], "log_off": []}
        rounds = [(graphql_port, "graphql"), (log_off_port, "log_off"), (baseline_port, "baseline")]
        for port, name in rounds * 3:
            results[name].append(wrk(port, token, str(body_file), str(script), 8))
        # Failed requests are fast: under load every answer must still be a good one.
        failed = {name: [r["non2xx"] for r in runs] for name, runs in results.items()}
        assert all(n == 0 for runs in failed.values() for n in runs), f"non-2xx: {failed}"
        check_same()
    finally:
        for process in (graphql, baseline, log_off):
            process.terminate()
        for process in (graphql, baseline, log_off):
            process.wait()
        logged = runner.run(count_logged(url))
        runner.run(context.__aexit__(None, None, None))
        runner.close()
    graphql_rps = statistics.median(r["rps"] for r in results["graphql"])
    baseline_rps = statistics.median(r["rps"] for r in results["baseline"])
    log_off_rps = statistics.median(r["rps"] for r in results["log_off"])
    return {
        "benchmark": "provider referrals(first: 50): GraphQL vs raw SQL + JSON endpoint",
        "database": url.split(":")[0],
        "graphql": results["graphql"],
        "baseline": results["baseline"],
        "graphql_rps": graphql_rps,
        "baseline_rps": baseline_rps,
        "ratio": round(graphql_rps / baseline_rps, 2),
        "target_ratio": 0.5,
        "log_off": results["log_off"],
        "log_off_rps": log_off_rps,
        "access_log_rows_written": logged,
        "access_log_ratio": round(graphql_rps / log_off_rps, 2),
        "access_log_target_ratio": 0.9,
    }


async def count_logged(url: str) -> int:
    """The access log's rows: the log-on server wrote one per referral read (and flushed at
    its clean stop); the log-off server none."""
    from sqlalchemy import func

    from core.models import AccessLogEntry

    db = Database(create_engine(url))
    try:
        async with db.session() as session:
            return int(await session.scalar(select(func.count()).select_from(AccessLogEntry)) or 0)
    finally:
        await db.dispose()


if __name__ == "__main__":
    outcome = main()
    print(json.dumps(outcome))
    print(
        f"{outcome['database']}: GraphQL {outcome['graphql_rps']} rps, baseline {outcome['baseline_rps']} rps, "
        f"ratio {outcome['ratio']} (target >= 0.5); access log off {outcome['log_off_rps']} rps, "
        f"on/off {outcome['access_log_ratio']} (target >= 0.9; "
        f"{outcome['access_log_rows_written']} rows written)"
    )
    sys.exit(0 if outcome["ratio"] >= 0.5 and outcome["access_log_ratio"] >= 0.9 else 1)

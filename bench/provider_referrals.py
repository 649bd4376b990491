"""Throughput of a provider's ``referrals(first: 50)`` against hand-written endpoints and
PostGraphile v4, and with the access log on against off.

Seeds the region (bench/seed.py), sends 60 referrals that reach one provider, then serves
the same database on loopback, one process each: ``portal serve`` (GraphQL, the access log
on: 50 rows per request), ``portal serve`` with ``PORTAL_ACCESS_LOG=false``,
bench/baseline_app.py (raw SQL through SQLAlchemy's async engine + orjson, the same fields),
and on PostgreSQL bench/baseline_asyncpg_app.py (the same on a plain asyncpg pool: the
practical limit) and PostGraphile v4 (bench/postgraphile: the same rows, its session looked
up by token on every request like ours; installed with ``npm ci`` when Node is present,
skipped with a message otherwise). wrk (Debian's package) drives each in turn, alternating
round by round, after an unmeasured warm-up of each; the figures are the medians.

Targets (portal rps over the other's): >= 0.75x the SQLAlchemy baseline, >= 0.35x the asyncpg
endpoint, >= 1.3x PostGraphile, access log on >= 0.9x off. Run it on a quiet machine: on a
shared one the figures are noise (bench/request_cpu.py compares CPU time instead).

    python -m bench.provider_referrals --quick        # checks that it runs (1 round of 2 s)
    PORTAL_BENCH_DATABASE_URL=postgresql+asyncpg://postgres@127.0.0.1:5432/postgres python -m bench.provider_referrals
"""

from __future__ import annotations

import argparse
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

from bench._server import free_port, start_serving
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


PEER_DIR = Path(__file__).parent / "postgraphile"
#: PostGraphile's equivalent of QUERY: the provider's 50 newest deliveries, each with its
#: referral and the delivered version's fields (bench/postgraphile/peer.sql).
PEER_QUERY = (
    "{ providerDeliveries(first: 50) { nodes { status version "
    "referralByReferralId { nodeId reference category status } "
    "referralVersionByReferralIdAndVersion { urgency summary children } } } }"
)


def postgraphile_command(url: str) -> tuple[list[str], dict[str, str]] | str:
    """How to start PostGraphile v4 on ``url`` (installed with ``npm ci`` in
    bench/postgraphile the first time), or why it cannot run here."""
    if url.startswith("sqlite"):
        return "PostGraphile needs PostgreSQL"
    node, npm = shutil.which("node"), shutil.which("npm")
    if node is None or npm is None:
        return "Node.js and npm are not installed"
    if not (PEER_DIR / "node_modules" / "postgraphile").is_dir():
        installed = subprocess.run(
            [npm, "ci", "--no-audit", "--no-fund"], cwd=PEER_DIR, capture_output=True, text=True
        )
        if installed.returncode != 0:
            return f"npm ci failed: {installed.stderr.strip()[-300:]}"
    from bench.baseline_asyncpg_app import dsn

    return [node, str(PEER_DIR / "server.js")], {"DATABASE_URL": dsn(url)}


async def prepare_peer(url: str) -> None:
    """PostGraphile's function, computed columns and smart comment (bench/postgraphile/peer.sql)."""
    import asyncpg

    from bench.baseline_asyncpg_app import dsn

    connection = await asyncpg.connect(dsn(url))
    try:
        await connection.execute((PEER_DIR / "peer.sql").read_text())
    finally:
        await connection.close()


def main(argv: list[str] | None = None) -> dict[str, object]:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=int, default=8, help="each measured wrk run")
    parser.add_argument("--rounds", type=int, default=3, help="interleaved rounds (median)")
    parser.add_argument("--warm-up", type=int, default=WARM_UP_SECONDS, help="seconds, unmeasured")
    parser.add_argument(
        "--quick",
        action="store_true",
        help="1 round of 2 s: checks that it runs, figures are noise",
    )
    args = parser.parse_args(argv)
    if args.quick:
        args.seconds, args.rounds, args.warm_up = 2, 1, 1
    if shutil.which("wrk") is None:
        sys.exit("wrk is needed: apt-get install wrk")

    run = prepare_run()
    runner, context, url, token, env = run.runner, run.context, run.url, run.token, run.env
    script = run.script
    bodies = {"portal": run.body_file, "postgraphile": run.workdir / "peer.json"}
    bodies["postgraphile"].write_text(json.dumps({"query": PEER_QUERY}))
    portal = [sys.executable, "-m", "portal.cli", "serve", "--workers", "1", "--port"]
    uvicorn = [sys.executable, "-m", "uvicorn", "--no-access-log", "--log-level", "warning"]
    # name -> (command, extra environment)
    commands: dict[str, tuple[list[str], dict[str, str]]] = {
        "graphql": (portal, {}),
        "log_off": (portal, {"PORTAL_ACCESS_LOG": "false"}),
        "baseline": ([*uvicorn, "bench.baseline_app:app", "--port"], {}),
    }
    skipped: dict[str, str] = {}
    if url.startswith("sqlite"):
        skipped["asyncpg"] = "the asyncpg endpoint needs PostgreSQL"
    else:
        commands["asyncpg"] = ([*uvicorn, "bench.baseline_asyncpg_app:app", "--port"], {})
    peer = postgraphile_command(url)
    if isinstance(peer, str):
        skipped["postgraphile"] = peer
    else:
        runner.run(prepare_peer(url))
    for name, reason in skipped.items():
        print(f"{name}: skipped ({reason})", file=sys.stderr)
    ports = {
        name: free_port()
        for name in [*commands, *([] if isinstance(peer, str) else ["postgraphile"])]
    }
    processes: dict[str, subprocess.Popen[bytes]] = {}

    def body(name: str) -> str:
        return str(bodies["postgraphile" if name == "postgraphile" else "portal"])

    def answer(name: str) -> dict[str, Any]:
        return httpx.post(
            f"http://127.0.0.1:{ports[name]}/graphql",
            content=Path(body(name)).read_bytes(),
            headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"},
            timeout=30,
        ).json()

    def check_same() -> None:
        same = [answer(name) for name in commands]
        assert all(a == same[0] for a in same), "the endpoints do not return the same JSON"
        edges = same[0]["data"]["referrals"]["edges"]
        assert len(edges) == 50
        if "postgraphile" in ports:
            nodes = answer("postgraphile")["data"]["providerDeliveries"]["nodes"]
            assert [
                (n["referralByReferralId"]["reference"], n["status"], n["version"]) for n in nodes
            ] == [
                (
                    e["node"]["reference"],
                    e["node"]["myDelivery"]["status"],
                    e["node"]["myDelivery"]["version"],
                )
                for e in edges
            ], "PostGraphile does not list the same deliveries"

    results: dict[str, list[dict[str, float]]] = {name: [] for name in ports}
    try:
        for name, (command, extra) in commands.items():
            processes[name] = start_serving(
                [*command, str(ports[name])], {**env, **extra}, ports[name]
            )
        if not isinstance(peer, str):
            command, extra = peer
            processes["postgraphile"] = start_serving(
                command, {**env, **extra, "PORT": str(ports["postgraphile"])}, ports["postgraphile"]
            )
        check_same()
        # Warm up each, unmeasured: caches fill, and the work `portal serve` does once at start
        # (in-process sweeps on the embedded default) is over before the measured runs.
        for name, port in ports.items():
            wrk(port, token, body(name), str(script), args.warm_up)
        for _ in range(args.rounds):
            for name, port in ports.items():
                results[name].append(wrk(port, token, body(name), str(script), args.seconds))
        # Failed requests are fast: under load every answer must still be a good one.
        failed = {name: [r["non2xx"] for r in runs] for name, runs in results.items()}
        assert all(n == 0 for runs in failed.values() for n in runs), f"non-2xx: {failed}"
        check_same()
    finally:
        for process in processes.values():
            process.terminate()
        for process in processes.values():
            process.wait()
        logged = runner.run(count_logged(url))
        runner.run(context.__aexit__(None, None, None))
        runner.close()
    rps = {name: statistics.median(r["rps"] for r in runs) for name, runs in results.items()}
    outcome: dict[str, object] = {
        "benchmark": "provider referrals(first: 50): GraphQL vs hand-written endpoints and PostGraphile",
        "database": url.split(":")[0],
        "seconds": args.seconds,
        "rounds": args.rounds,
        "runs": results,
        "rps": rps,
        "skipped": skipped,
        "access_log_rows_written": logged,
    }
    for name, (target, peer_over_portal) in RATIOS.items():
        if name in rps:
            ratio = rps[name] / rps["graphql"] if peer_over_portal else rps["graphql"] / rps[name]
            outcome[f"ratio_{name}"] = round(ratio, 2)
            outcome[f"target_{name}"] = target
            # Each round's own ratio (the two measured seconds apart): on a machine whose speed
            # drifts between rounds, their median is the steadier figure.
            by_round = [
                (other["rps"] / own["rps"]) if peer_over_portal else (own["rps"] / other["rps"])
                for own, other in zip(results["graphql"], results[name], strict=True)
            ]
            outcome[f"ratio_{name}_by_round"] = [round(r, 2) for r in by_round]
            outcome[f"ratio_{name}_median_of_rounds"] = round(statistics.median(by_round), 2)
    return outcome


#: name -> (target, whether the ratio is that endpoint over the portal); every other ratio is
#: the portal's rps over that endpoint's.
RATIOS: dict[str, tuple[float, bool]] = {
    "baseline": (0.75, False),  # the SQLAlchemy-based raw endpoint
    "asyncpg": (0.35, False),  # the plain asyncpg endpoint
    "postgraphile": (1.3, False),
    "log_off": (0.9, False),  # access log on over off
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
    rps = outcome["rps"]
    assert isinstance(rps, dict)
    met = True
    for name in RATIOS:
        ratio = outcome.get(f"ratio_{name}")
        if ratio is None:
            continue
        target = outcome[f"target_{name}"]
        met = met and ratio >= target  # type: ignore[operator]
        print(
            f"{outcome['database']}: portal {rps['graphql']} rps / {name} {rps[name]} rps = "
            f"{ratio} (target >= {target}; each round's own ratio, median: "
            f"{outcome[f'ratio_{name}_median_of_rounds']})"
        )
    sys.exit(0 if met else 1)

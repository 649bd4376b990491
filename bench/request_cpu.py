"""CPU time per request of the provider's ``referrals(first: 50)``, in process: the portal's
ASGI app beside the two hand-written endpoints of bench/provider_referrals.py (SQLAlchemy's
async engine, bench/baseline_app.py, and a plain asyncpg pool, bench/baseline_asyncpg_app.py,
PostgreSQL only), each called directly (no HTTP server, no load generator), interleaved
round by round.

CPU time (``time.process_time``) is what a busy, shared machine does not distort much: the
wall-clock throughput benches need a quiet machine, this one does not. It leaves out what
is the same for every endpoint (uvicorn's HTTP parsing) and PostgreSQL's own work, so its
ratios are harsher than the throughput ratios of bench/provider_referrals.py. The ratio is
``baseline CPU / portal CPU`` (the throughput ratio if the process is CPU-bound).

    python -m bench.request_cpu --requests 300 --rounds 3
    PORTAL_BENCH_DATABASE_URL=postgresql+asyncpg://postgres@127.0.0.1:5432/postgres python -m bench.request_cpu
    ... --profile 2000      # cProfile of the portal over 2,000 requests, top functions
    ... --keep / --url U --token T   # keep the seeded database / reuse it (development)
    ... --toggle ab.py      # two variants of the portal, interleaved in this one process
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import gc
import io
import json
import os
import pstats
import statistics
import tempfile
import time
from collections.abc import Awaitable, Callable
from contextlib import AsyncExitStack
from pathlib import Path
from typing import Any

from bench.databases import fresh_database
from bench.provider_referrals import QUERY, prepare

Call = Callable[[], Awaitable[bytes]]


def asgi_caller(app: Any, token: str, body: bytes) -> Call:
    """One POST /graphql to ``app`` as uvicorn would send it; the response body."""
    headers = [
        (b"host", b"127.0.0.1"),
        (b"content-type", b"application/json"),
        (b"authorization", f"Bearer {token}".encode()),
        (b"content-length", str(len(body)).encode()),
    ]

    async def call() -> bytes:
        scope = {
            "type": "http",
            "asgi": {"version": "3.0", "spec_version": "2.3"},
            "http_version": "1.1",
            "method": "POST",
            "scheme": "http",
            "path": "/graphql",
            "raw_path": b"/graphql",
            "root_path": "",
            "query_string": b"",
            "headers": headers,
            "client": ("127.0.0.1", 40000),
            "server": ("127.0.0.1", 8000),
            "state": {},
        }
        sent = False
        chunks: list[bytes] = []
        status = 0

        async def receive() -> dict[str, Any]:
            nonlocal sent
            if not sent:
                sent = True
                return {"type": "http.request", "body": body, "more_body": False}
            await asyncio.sleep(3600)
            return {"type": "http.disconnect"}

        async def send(message: dict[str, Any]) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            elif message["type"] == "http.response.body":
                chunks.append(message.get("body", b""))

        await app(scope, receive, send)
        if status != 200:
            raise RuntimeError(f"status {status}: {b''.join(chunks)[:300]!r}")
        return b"".join(chunks)

    return call


async def cpu_per_request(call: Call, requests: int, concurrency: int) -> float:
    """Microseconds of this process's CPU per request, ``concurrency`` requests at a time."""

    async def client(n: int) -> None:
        for _ in range(n):
            await call()

    share = requests // concurrency
    started = time.process_time()
    await asyncio.gather(*(client(share) for _ in range(concurrency)))
    return (time.process_time() - started) / (share * concurrency) * 1e6


async def run(args: argparse.Namespace) -> dict[str, object]:
    async with AsyncExitStack() as stack:
        if args.url:
            url, token = args.url, args.token
        else:
            context = fresh_database()
            url = await context.__aenter__()
            if not args.keep:
                stack.push_async_exit(context)
            token = await prepare(url)
            if args.keep:
                print(f"kept: --url {url} --token {token}", flush=True)
        os.environ["PORTAL_DATABASE_URL"] = url
        os.environ.setdefault(
            "PORTAL_STORAGE_DIR", tempfile.mkdtemp(prefix="portal-bench-storage-")
        )
        from core.observability.logs import configure_logging
        from core.settings import load_settings
        from schema.app import create_app

        settings = load_settings()
        configure_logging(settings.log_format)
        # As `portal serve` makes it (the in-process worker aside); the log lines go nowhere.
        portal = create_app(settings, freeze_startup_objects=True)
        apps: dict[str, Any] = {"portal": portal}
        import bench.baseline_app

        apps["sqlalchemy"] = bench.baseline_app.app
        if not url.startswith("sqlite"):
            import bench.baseline_asyncpg_app

            apps["asyncpg"] = bench.baseline_asyncpg_app.app
        if args.only:
            apps = {name: app for name, app in apps.items() if name in args.only.split(",")}
        for app in apps.values():
            await stack.enter_async_context(app.router.lifespan_context(app))
        body = json.dumps({"query": QUERY}).encode()
        calls = {name: asgi_caller(app, token, body) for name, app in apps.items()}
        answers = {name: json.loads(await call()) for name, call in calls.items()}
        first = next(iter(answers.values()))
        assert all(a == first for a in answers.values()), "the endpoints differ"
        assert len(first["data"]["referrals"]["edges"]) == 50, first
        for call in calls.values():  # warm-up: caches, statement caches, pools
            await cpu_per_request(call, 200, args.concurrency)
        if args.profile:
            profiler = cProfile.Profile(time.process_time)
            profiler.enable()
            cpu = await cpu_per_request(calls["portal"], args.profile, args.concurrency)
            profiler.disable()
            out = io.StringIO()
            stats = pstats.Stats(profiler, stream=out).sort_stats(args.sort)
            stats.print_stats(args.top)
            print(out.getvalue())
            return {"portal_us_profiled": round(cpu)}
        runs: list[tuple[str, Call, str | None]] = [(n, c, None) for n, c in calls.items()]
        if args.toggle:
            # Two variants of the portal in this same process (a file defining
            # ``use(variant: str)``, called with "A" or "B" before each run).
            namespace: dict[str, Any] = {}
            source = Path(args.toggle).read_text()  # noqa: ASYNC240  # development only
            exec(compile(source, args.toggle, "exec"), namespace)
            portal_call = calls["portal"]
            runs = [(n, c, None) for n, c in calls.items() if n != "portal"]
            runs[:0] = [("portal_A", portal_call, "A"), ("portal_B", portal_call, "B")]
            for variant in ("A", "B"):
                namespace["use"](variant)
                await cpu_per_request(portal_call, 200, args.concurrency)
        results: dict[str, list[float]] = {name: [] for name, _, _ in runs}
        for _ in range(args.rounds):
            for name, call, variant in runs:
                if variant is not None:
                    namespace["use"](variant)
                gc.collect()
                results[name].append(await cpu_per_request(call, args.requests, args.concurrency))
        median = {name: statistics.median(runs) for name, runs in results.items()}
        outcome: dict[str, object] = {
            "benchmark": "provider referrals(first: 50): CPU per request in process",
            "database": url.split(":")[0],
            "requests_per_round": args.requests,
            "concurrency": args.concurrency,
            "us_per_request": {name: [round(r) for r in runs] for name, runs in results.items()},
            "median_us": {name: round(v) for name, v in median.items()},
        }
        for name in calls:
            if name != "portal" and "portal" in median:
                outcome[f"ratio_vs_{name}"] = round(median[name] / median["portal"], 3)
        if args.toggle:
            pairs = zip(results["portal_A"], results["portal_B"], strict=True)
            outcome["B_over_A_by_round"] = [round(b / a, 3) for a, b in pairs]
        return outcome


def run_on_uvloop(outcome: Awaitable[dict[str, object]]) -> dict[str, object]:
    """``outcome`` awaited on uvloop (as `portal serve` runs), else asyncio's own loop."""
    try:
        import uvloop

        runner = asyncio.Runner(loop_factory=uvloop.new_event_loop)
    except ImportError:  # pragma: no cover
        runner = asyncio.Runner()
    with runner:
        return runner.run(outcome)  # type: ignore[arg-type]  # a coroutine


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--requests", type=int, default=300, help="per endpoint per round")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--concurrency", type=int, default=8, help="requests in flight")
    parser.add_argument("--profile", type=int, default=0, help="profile the portal over N")
    parser.add_argument("--sort", default="tottime")
    parser.add_argument("--top", type=int, default=45)
    parser.add_argument("--only", help="comma-separated: portal,sqlalchemy,asyncpg")
    parser.add_argument("--toggle", help="a file defining use(variant): A/B in one process")
    parser.add_argument("--keep", action="store_true", help="keep the seeded database")
    parser.add_argument("--url", help="a database seeded by an earlier --keep")
    parser.add_argument("--token", help="its session token (printed by --keep)")
    args = parser.parse_args(argv)
    print(json.dumps(run_on_uvloop(run(args))))


if __name__ == "__main__":
    main()

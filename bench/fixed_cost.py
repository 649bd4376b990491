"""CPU time per request of ``{ __typename }``: what every POST /graphql costs besides its own
rows (the ASGI middlewares, authentication, the view, execution, the response and the request
log line), in process, as bench/request_cpu.py measures the provider's list.

A/B (``--toggle ab.py``, a file defining ``use(variant)`` for "A" and "B") alternates the two
variants in short rounds and reports the median of the per-round ratios, which a busy machine
distorts far less than two medians taken apart.

    PORTAL_BENCH_DATABASE_URL=postgresql+asyncpg://postgres@127.0.0.1:5432/postgres python -m bench.fixed_cost
    ... --url U --token T          # a database kept by bench.request_cpu --keep
    ... --toggle ab.py --rounds 40 # A/B in this one process
    ... --profile 3000             # cProfile over 3,000 requests
"""

from __future__ import annotations

import argparse
import cProfile
import gc
import io
import json
import os
import pstats
import statistics
import tempfile
import time
from contextlib import AsyncExitStack
from pathlib import Path
from typing import Any

from bench.databases import fresh_database
from bench.provider_referrals import prepare
from bench.request_cpu import asgi_caller, cpu_per_request, run_on_uvloop

BODY = json.dumps({"query": "{ __typename }"}).encode()
ANSWER = {"data": {"__typename": "Query"}}


async def run(args: argparse.Namespace) -> dict[str, object]:
    async with AsyncExitStack() as stack:
        if args.url:
            url, token = args.url, args.token
        else:
            context = fresh_database()
            url = await context.__aenter__()
            stack.push_async_exit(context)
            token = await prepare(url)
        os.environ["PORTAL_DATABASE_URL"] = url
        os.environ.setdefault(
            "PORTAL_STORAGE_DIR", tempfile.mkdtemp(prefix="portal-bench-storage-")
        )
        from core.observability.logs import configure_logging
        from core.settings import load_settings
        from schema.app import create_app

        settings = load_settings()
        configure_logging(settings.log_format)  # as request_cpu: the lines go to stderr
        portal = create_app(settings, freeze_startup_objects=True)
        await stack.enter_async_context(portal.router.lifespan_context(portal))
        call = asgi_caller(portal, token, BODY)
        use = _variants(args.toggle)
        for variant in ("A", "B") if args.toggle else ("A",):
            use(variant)
            assert json.loads(await call()) == ANSWER
            await cpu_per_request(call, 400, args.concurrency)  # warm-up
        if args.profile:
            profiler = cProfile.Profile(time.process_time)
            profiler.enable()
            cpu = await cpu_per_request(call, args.profile, args.concurrency)
            profiler.disable()
            out = io.StringIO()
            pstats.Stats(profiler, stream=out).sort_stats(args.sort).print_stats(args.top)
            print(out.getvalue())
            return {"portal_us_profiled": round(cpu)}
        variants = ("A", "B") if args.toggle else ("A",)
        results: dict[str, list[float]] = {variant: [] for variant in variants}
        for _ in range(args.rounds):
            for variant in variants:
                use(variant)
                gc.collect()
                results[variant].append(
                    await cpu_per_request(call, args.requests, args.concurrency)
                )
        outcome: dict[str, object] = {
            "benchmark": "{ __typename }: CPU per request in process",
            "database": url.split(":")[0],
            "requests_per_round": args.requests,
            "median_us": {v: round(statistics.median(r)) for v, r in results.items()},
        }
        if args.toggle:
            ratios = [b / a for a, b in zip(results["A"], results["B"], strict=True)]
            outcome["B_over_A_median"] = round(statistics.median(ratios), 3)
            outcome["B_over_A_by_round"] = [round(r, 3) for r in ratios]
        return outcome


def _variants(toggle: str | None) -> Any:
    if not toggle:
        return lambda variant: None
    namespace: dict[str, Any] = {}
    exec(compile(Path(toggle).read_text(), toggle, "exec"), namespace)
    return namespace["use"]


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--requests", type=int, default=400, help="per variant per round")
    parser.add_argument("--rounds", type=int, default=20)
    parser.add_argument("--concurrency", type=int, default=8, help="requests in flight")
    parser.add_argument("--profile", type=int, default=0, help="profile over N requests")
    parser.add_argument("--sort", default="tottime")
    parser.add_argument("--top", type=int, default=45)
    parser.add_argument("--toggle", help="a file defining use(variant): A/B in one process")
    parser.add_argument("--url", help="a database seeded by bench.request_cpu --keep")
    parser.add_argument("--token", help="its session token (printed by --keep)")
    args = parser.parse_args(argv)
    print(json.dumps(run_on_uvloop(run(args))))


if __name__ == "__main__":
    main()

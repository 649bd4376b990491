"""Requests per second of ``portal serve --workers 2`` against ``--workers 1``, same run.

The provider's ``referrals(first: 50)`` (bench/provider_referrals.py's data and query) is
served by two ``portal serve`` commands on the same database and Redis: one with one worker,
one with two. wrk (Debian's package; 1 thread, 16 connections) drives each in turn,
alternating 1, 2, 1, 2, ... after an unmeasured warm-up of each. Target: two workers at
>= 1.6x the requests per second of one (median of the rounds).

The load generator shares the machine. On 2 cores, wrk, the database (PostgreSQL, when
used) and Redis take CPU that two workers would otherwise get, so the bench also reads the
CPU each side used (the workers' from /proc, wrk's from its rusage) and reports:

* ``cores``: how many cores the workers kept busy (their CPU seconds / wall seconds);
* ``rps_per_cpu_second``: requests answered per second of the workers' CPU (2 workers at
  about the same as 1 means no loss from running two; the rps ratio is then the ratio of
  cores the workers got);
* ``wrk_cores``: what the generator itself took.

    python -m bench.serve_workers --quick          # 2-second runs, one round: it works
    python -m bench.serve_workers                  # 10-second runs, 3 rounds (quiet machine)
    PORTAL_BENCH_DATABASE_URL=postgresql+asyncpg://postgres@127.0.0.1:5432/postgres python -m bench.serve_workers
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx
import redis

from bench._server import free_port, wait_for_workers, worker_pids
from bench.databases import fresh_database
from bench.provider_referrals import QUERY, prepare

TARGET = 1.6
WRK_SCRIPT = """
local body = io.open(os.getenv("BODY_FILE")):read("*a")
wrk.method = "POST"
wrk.body = body
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Authorization"] = "Bearer " .. os.getenv("TOKEN")
function done(s, lat, _)
  io.write(string.format('{"rps":%.1f,"p50_ms":%.2f,"p99_ms":%.2f,"non2xx":%d,"sock_err":%d}\\n',
    s.requests / (s.duration / 1e6), lat:percentile(50) / 1e3, lat:percentile(99) / 1e3,
    s.errors.status, s.errors.connect + s.errors.read + s.errors.write + s.errors.timeout))
end
"""


def cpu_seconds(pids: list[int]) -> float:
    """User + system CPU seconds of ``pids`` so far (/proc/<pid>/stat)."""
    ticks = os.sysconf("SC_CLK_TCK")
    total = 0
    for pid in pids:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        total += int(fields[11]) + int(fields[12])  # utime, stime
    return total / ticks


def children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def wrk(port: int, token: str, body: Path, script: Path, seconds: float) -> dict[str, float]:
    output = subprocess.run(
        [
            "wrk",
            "-t1",
            "-c16",
            f"-d{seconds}s",
            "-s",
            str(script),
            f"http://127.0.0.1:{port}/graphql",
        ],
        env={**os.environ, "TOKEN": token, "BODY_FILE": str(body)},
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    return json.loads(output.strip().splitlines()[-1])


def measured(
    port: int, pids: list[int], token: str, body: Path, script: Path, seconds: float
) -> dict[str, float]:
    """One wrk run, with the CPU the workers and wrk used meanwhile."""
    server_before, wrk_before = cpu_seconds(pids), children_cpu()
    started = time.perf_counter()
    result = wrk(port, token, body, script, seconds)
    wall = time.perf_counter() - started
    server = cpu_seconds(pids) - server_before
    result["cores"] = round(server / wall, 2)
    result["wrk_cores"] = round((children_cpu() - wrk_before) / wall, 2)
    result["rps_per_cpu_second"] = round(result["rps"] * wall / server, 1) if server else 0.0
    return result


def start(command: list[str], env: dict[str, str], port: int) -> subprocess.Popen[bytes]:
    process = subprocess.Popen(
        command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    deadline = time.monotonic() + 180
    while time.monotonic() < deadline:
        try:
            httpx.get(f"http://127.0.0.1:{port}/health/live", timeout=1)
            return process
        except httpx.HTTPError:
            time.sleep(0.2)
    process.terminate()
    raise RuntimeError(f"{command} did not start")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=float, default=10, help="each measured run")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--warm-up", type=float, default=5)
    parser.add_argument("--quick", action="store_true", help="2 s runs, one round")
    args = parser.parse_args()
    if args.quick:
        args.seconds, args.rounds, args.warm_up = 2, 1, 1
    if shutil.which("wrk") is None:
        sys.exit("wrk is needed: apt-get install wrk")
    redis_url = os.environ.get("PORTAL_BENCH_REDIS_URL", "redis://127.0.0.1:6379/14")
    redis.Redis.from_url(redis_url).flushdb()

    runner = asyncio.Runner()
    context = fresh_database()
    url = runner.run(context.__aenter__())
    token = runner.run(prepare(url))
    workdir = Path(tempfile.mkdtemp(prefix="portal-bench-"))
    body, script = workdir / "body.json", workdir / "wrk.lua"
    body.write_text(json.dumps({"query": QUERY}))
    script.write_text(WRK_SCRIPT)
    env = {
        **os.environ,
        "PORTAL_DATABASE_URL": url,
        "PORTAL_REDIS_URL": redis_url,
        "PORTAL_STORAGE_DIR": str(workdir / "storage"),
    }
    servers: dict[int, tuple[subprocess.Popen[bytes], int, list[int]]] = {}
    try:
        for workers in (1, 2):
            port = free_port()
            command = [sys.executable, "-m", "portal.cli", "serve", "--port", str(port)]
            process = start([*command, "--workers", str(workers)], env, port)
            pids = wait_for_workers(port, process.pid, 2) if workers == 2 else [process.pid]
            assert workers == 1 or worker_pids(process.pid) == pids
            servers[workers] = (process, port, pids)
        answers = [
            httpx.post(
                f"http://127.0.0.1:{port}/graphql",
                json={"query": QUERY},
                headers={"Authorization": f"Bearer {token}"},
            ).json()
            for _, port, _ in servers.values()
        ]
        assert answers[0] == answers[1], "the two servers do not return the same JSON"
        assert len(answers[0]["data"]["referrals"]["edges"]) == 50, answers[0]
        for _, port, _ in servers.values():
            wrk(port, token, body, script, args.warm_up)
        results: dict[int, list[dict[str, float]]] = {1: [], 2: []}
        for _ in range(args.rounds):
            for workers, (_, port, pids) in servers.items():
                results[workers].append(measured(port, pids, token, body, script, args.seconds))
        bad = {w: [r["non2xx"] + r["sock_err"] for r in runs] for w, runs in results.items()}
        assert all(n == 0 for runs in bad.values() for n in runs), f"failed requests: {bad}"
    finally:
        for process, _, _ in servers.values():
            process.terminate()
        for process, _, _ in servers.values():
            process.wait(timeout=60)
        runner.run(context.__aexit__(None, None, None))
        runner.close()

    def median(workers: int, key: str) -> float:
        return statistics.median(r[key] for r in results[workers])

    outcome = {
        "benchmark": "provider referrals(first: 50): portal serve --workers 2 vs --workers 1",
        "database": url.split(":")[0],
        "cores_available": len(os.sched_getaffinity(0)),
        "one_worker": results[1],
        "two_workers": results[2],
        "ratio": round(median(2, "rps") / median(1, "rps"), 2),
        "target_ratio": TARGET,
        "cores_ratio": round(median(2, "cores") / median(1, "cores"), 2),
        "rps_per_cpu_second_ratio": round(
            median(2, "rps_per_cpu_second") / median(1, "rps_per_cpu_second"), 2
        ),
    }
    print(json.dumps(outcome))
    print(
        f"{outcome['database']}: 1 worker {median(1, 'rps'):.0f} rps on "
        f"{median(1, 'cores')} cores (wrk {median(1, 'wrk_cores')}), 2 workers "
        f"{median(2, 'rps'):.0f} rps on {median(2, 'cores')} cores (wrk "
        f"{median(2, 'wrk_cores')}): ratio {outcome['ratio']} (target >= {TARGET}); "
        f"the cores the workers got {outcome['cores_ratio']}x, rps per CPU second "
        f"{outcome['rps_per_cpu_second_ratio']}x"
    )
    return 0 if outcome["ratio"] >= TARGET else 1


if __name__ == "__main__":
    sys.exit(main())

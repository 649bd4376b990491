"""What metrics and JSON request logs cost: ``referrals(first: 50)`` throughput with them on
vs off, same run, same database.

Seeds as bench/provider_referrals.py does, then serves the database twice on loopback, one
process each: ``portal serve`` with ``PORTAL_METRICS_TOKEN`` and ``PORTAL_LOG_FORMAT=json``
(every request a JSON line, written to a file; the request counter, latency histograms and
pool gauges kept; ``/metrics`` scraped during the runs), and the same app built without the
request observer (no request id, log line or request metrics; logging at WARNING). wrk drives
each in turn, alternating A/B, after an unmeasured warm-up. Target: on >= 0.9x off.

    python -m bench.observability
    PORTAL_BENCH_DATABASE_URL=postgresql+asyncpg://postgres@127.0.0.1:5432/postgres python -m bench.observability
"""

from __future__ import annotations

import json
import shutil
import statistics
import sys
import threading

import httpx

from bench._server import free_port, serve_portal, start_serving
from bench.provider_referrals import WARM_UP_SECONDS, prepare_run, wrk

METRICS_TOKEN = "bench-metrics-token-0123456789"
TARGET = 0.9


def serve_without_observer(port: int) -> None:
    """``portal serve`` as portal/cli.py runs it, with the request observer left out."""
    import uvicorn

    from core.observability.logs import configure_logging
    from core.settings import load_settings
    from schema.app import create_app

    settings = load_settings()
    configure_logging("json", level=30)  # WARNING: what "off" means for request lines
    app = create_app(settings, background=True, freeze_startup_objects=True, observe=False)
    uvicorn.run(
        app,
        host="127.0.0.1",
        port=port,
        access_log=False,
        log_config=None,
        log_level="warning",
        timeout_graceful_shutdown=30,
    )


def main() -> dict[str, object]:
    if shutil.which("wrk") is None:
        sys.exit("wrk is needed: apt-get install wrk")
    run = prepare_run()
    runner, context, url, token, env = run.runner, run.context, run.url, run.token, run.env
    workdir, body_file, script = run.workdir, run.body_file, run.script
    on_port, off_port = free_port(), free_port()
    log_path = workdir / "requests.jsonl"
    log_file = log_path.open("wb")
    on_env = {**env, "PORTAL_METRICS_TOKEN": METRICS_TOKEN, "PORTAL_LOG_FORMAT": "json"}
    on = serve_portal(on_port, on_env, stderr=log_file)
    off = start_serving(
        [sys.executable, "-m", "bench.observability", "--serve-off", str(off_port)], env, off_port
    )
    scraping = threading.Event()

    def scrape() -> None:  # as Prometheus would, every second
        while not scraping.wait(1.0):
            httpx.get(
                f"http://127.0.0.1:{on_port}/metrics",
                headers={"Authorization": f"Bearer {METRICS_TOKEN}"},
            )

    scraper = threading.Thread(target=scrape, daemon=True)
    try:
        for port in (on_port, off_port):
            wrk(port, token, str(body_file), str(script), WARM_UP_SECONDS)
        scraper.start()
        results: dict[str, list[dict[str, float]]] = {"on": [], "off": []}
        for port, name in [(on_port, "on"), (off_port, "off")] * 3:
            results[name].append(wrk(port, token, str(body_file), str(script), 8))
        failed = {name: [r["non2xx"] for r in runs] for name, runs in results.items()}
        assert all(n == 0 for runs in failed.values() for n in runs), f"non-2xx: {failed}"
        metrics = httpx.get(
            f"http://127.0.0.1:{on_port}/metrics",
            headers={"Authorization": f"Bearer {METRICS_TOKEN}"},
        ).text
        assert "portal_graphql_requests_total" in metrics
    finally:
        scraping.set()
        on.terminate()
        off.terminate()
        on.wait()
        off.wait()
        log_file.close()
        runner.run(context.__aexit__(None, None, None))
        runner.close()
    request_lines = sum(
        1 for line in log_path.read_bytes().splitlines() if b'"portal.request"' in line
    )
    on_rps = statistics.median(r["rps"] for r in results["on"])
    off_rps = statistics.median(r["rps"] for r in results["off"])
    return {
        "benchmark": "referrals(first: 50): metrics + JSON request logs on vs off",
        "database": url.split(":")[0],
        "on": results["on"],
        "off": results["off"],
        "on_rps": on_rps,
        "off_rps": off_rps,
        "json_request_lines_written": request_lines,
        "ratio": round(on_rps / off_rps, 3),
        "target_ratio": TARGET,
    }


if __name__ == "__main__":
    if sys.argv[1:2] == ["--serve-off"]:
        serve_without_observer(int(sys.argv[2]))
        sys.exit(0)
    outcome = main()
    print(json.dumps(outcome))
    print(
        f"{outcome['database']}: on {outcome['on_rps']} rps, off {outcome['off_rps']} rps, "
        f"ratio {outcome['ratio']} (target >= {TARGET})"
    )
    sys.exit(0 if outcome["ratio"] >= TARGET else 1)

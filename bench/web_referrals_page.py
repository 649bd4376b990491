"""The provider's ``/referrals`` page against the bare GraphQL request for the same data.

Seeds the region and sends 60 referrals that reach one provider (as ``provider_referrals``
does), serves the database with one ``portal serve``, then times, alternating one of each,
``GET /referrals`` with the session cookie (the header's query, the list's query, the
Jinja template) and ``POST /graphql`` of one document selecting what the page shows, with
the same session as a bearer token. Target: the page's median within 1.5x of the request's.

    python -m bench.web_referrals_page
    PORTAL_BENCH_DATABASE_URL=postgresql+asyncpg://postgres@127.0.0.1:5432/postgres python -m bench.web_referrals_page
    python -m bench.web_referrals_page --quick    # 40 samples of each: checks it runs, figures rough
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import statistics
import tempfile
import time
from pathlib import Path

import httpx

from bench._server import free_port, serve_portal
from bench.databases import fresh_database
from bench.provider_referrals import prepare

#: What /referrals shows, as one GraphQL request: web/layout.graphql's Layout and
#: web/pages/referrals/list.graphql's Referrals, merged.
QUERY = """
query {
  viewer { id name email roles organisation { id name kind } }
  unread: notifications(unreadOnly: true, first: 1) { totalCount }
  referrals(first: 50) {
    totalCount
    pageInfo { hasNextPage endCursor }
    edges { node { id reference category status urgency sentAt createdAt
      children { age gender } myDelivery { status deliveredAt openedAt } } }
  }
  categories { category label }
}"""
WARM_UP = 30
SAMPLES = 300


def timed(call: object) -> float:
    started = time.perf_counter()
    response = call()  # type: ignore[operator]
    elapsed = (time.perf_counter() - started) * 1000
    assert response.status_code == 200, response.text[:500]
    return elapsed


def summary(values: list[float]) -> dict[str, float]:
    ordered = sorted(values)
    return {
        "p50_ms": round(statistics.median(ordered), 2),
        "p90_ms": round(ordered[int(len(ordered) * 0.9) - 1], 2),
    }


def main(samples: int = SAMPLES, warm_up: int = WARM_UP) -> dict[str, object]:
    runner = asyncio.Runner()
    context = fresh_database()
    url = runner.run(context.__aenter__())
    token = runner.run(prepare(url))
    workdir = Path(tempfile.mkdtemp(prefix="portal-bench-"))
    port = free_port()
    env = {
        **os.environ,
        "PORTAL_DATABASE_URL": url,
        "PORTAL_STORAGE_DIR": str(workdir / "storage"),
        "PORTAL_BASE_URL": f"http://127.0.0.1:{port}",
    }
    server = serve_portal(port, env)
    base = f"http://127.0.0.1:{port}"
    try:
        with (
            httpx.Client(base_url=base, cookies={"portal_session": token}) as browser,
            httpx.Client(base_url=base, headers={"Authorization": f"Bearer {token}"}) as api,
        ):

            def page() -> httpx.Response:
                return browser.get("/referrals", headers={"accept": "text/html"})

            def graphql() -> httpx.Response:
                return api.post("/graphql", json={"query": QUERY})

            shown = page().text
            data = graphql().json()
            assert not data.get("errors"), data
            rows = data["data"]["referrals"]["edges"]
            assert len(rows) == 50 and all(r["node"]["reference"] in shown for r in rows)
            for _ in range(warm_up):
                timed(page)
                timed(graphql)
            pages, requests = [], []
            for _ in range(samples):
                pages.append(timed(page))
                requests.append(timed(graphql))
    finally:
        server.terminate()
        server.wait()
        runner.run(context.__aexit__(None, None, None))
        runner.close()
    page_summary, graphql_summary = summary(pages), summary(requests)
    return {
        "benchmark": "provider /referrals page (50 referrals) vs the bare GraphQL request",
        "database": url.split(":")[0],
        "page": page_summary,
        "graphql": graphql_summary,
        "ratio_p50": round(page_summary["p50_ms"] / graphql_summary["p50_ms"], 2),
        "target_ratio": 1.5,
        "page_bytes": len(shown),
        "samples": samples,
    }


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--samples", type=int, default=SAMPLES, help="requests of each kind")
    parser.add_argument("--quick", action="store_true", help="40 samples, 10 to warm up")
    args = parser.parse_args()
    if args.quick:
        print(json.dumps(main(samples=40, warm_up=10), indent=2))
    else:
        print(json.dumps(main(samples=args.samples), indent=2))

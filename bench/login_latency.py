"""Does a burst of logins stall other requests?

Measures the latency of the GraphQL ``viewer`` query on a real ``portal serve`` (uvicorn,
SQLite, production-strength argon2) alone, then while 20 logins run concurrently without
pause, in the same run. Target: p50 under load within 20% of p50 alone.

    python -m bench.login_latency
"""

from __future__ import annotations

import asyncio
import json
import statistics
import subprocess
import sys
import time

import httpx
import pyotp

from bench._server import portal_server

PASSWORD = "bench password 2026"
VIEWER = {"query": "{ viewer { email roles } }"}
SAMPLES = 300
CONCURRENT_LOGINS = 20


async def sign_in(http: httpx.AsyncClient, email: str) -> str:
    login = (
        await http.post(
            "/graphql",
            json={
                "query": 'mutation { login(input: {email: "%s", password: "%s"}) { challenge } }'
                % (email, PASSWORD)
            },
        )
    ).json()
    challenge = login["data"]["login"]["challenge"]
    enrol = (
        await http.post(
            "/graphql",
            json={
                "query": 'mutation { enrolTotp(input: {challenge: "%s"}) { secret } }' % challenge
            },
        )
    ).json()
    code = pyotp.TOTP(enrol["data"]["enrolTotp"]["secret"]).now()
    verify = (
        await http.post(
            "/graphql",
            json={
                "query": 'mutation { verifyTotp(input: {challenge: "%s", code: "%s"}) { sessionToken } }'
                % (challenge, code)
            },
        )
    ).json()
    return verify["data"]["verifyTotp"]["sessionToken"]


async def latencies(http: httpx.AsyncClient, token: str, samples: int) -> list[float]:
    found = []
    for _ in range(samples):
        started = time.perf_counter()
        response = await http.post(
            "/graphql", json=VIEWER, headers={"Authorization": f"Bearer {token}"}
        )
        found.append((time.perf_counter() - started) * 1000)
        assert response.json()["data"]["viewer"], response.text
    return found


async def login_forever(base: str, email: str, stop: asyncio.Event, count: list[int]) -> None:
    async with httpx.AsyncClient(base_url=base, timeout=60) as http:
        while not stop.is_set():
            await http.post(
                "/graphql",
                json={
                    "query": 'mutation { login(input: {email: "%s", password: "wrong password!"}) { challenge } }'
                    % email
                },
            )
            count[0] += 1


def summary(values: list[float]) -> dict[str, float]:
    ordered = sorted(values)
    return {
        "p50_ms": round(statistics.median(ordered), 2),
        "p99_ms": round(ordered[int(len(ordered) * 0.99) - 1], 2),
    }


async def main() -> dict[str, object]:
    with portal_server(PORTAL_LOGIN_RATE_LIMIT="100000/minute") as (base, env):
        for email in ("viewer@bench.example", "victim@bench.example"):
            subprocess.run(
                [
                    sys.executable,
                    "-m",
                    "portal.cli",
                    "create-admin",
                    "--email",
                    email,
                    "--name",
                    "Bench",
                ],
                env={**env, "PORTAL_ADMIN_PASSWORD": PASSWORD},
                check=True,
                capture_output=True,
            )
        async with httpx.AsyncClient(base_url=base, timeout=60) as http:
            token = await sign_in(http, "viewer@bench.example")
            await latencies(http, token, 50)  # warm-up
            alone = await latencies(http, token, SAMPLES)
            stop, count = asyncio.Event(), [0]
            tasks = [
                asyncio.create_task(login_forever(base, "victim@bench.example", stop, count))
                for _ in range(CONCURRENT_LOGINS)
            ]
            await asyncio.sleep(1)
            started = time.perf_counter()
            during = await latencies(http, token, SAMPLES)
            elapsed = time.perf_counter() - started
            stop.set()
            await asyncio.gather(*tasks)
    result = {
        "benchmark": "viewer latency while 20 logins run",
        "alone": summary(alone),
        "during_logins": summary(during),
        "logins_per_second": round(count[0] / max(elapsed, 1e-9), 1),
        "p50_ratio": round(statistics.median(during) / statistics.median(alone), 2),
        "target_p50_ratio": 1.2,
    }
    return result


if __name__ == "__main__":
    outcome = asyncio.run(main())
    print(json.dumps(outcome))
    print(
        f"viewer p50 alone {outcome['alone']['p50_ms']} ms, during logins {outcome['during_logins']['p50_ms']} ms "
        f"(ratio {outcome['p50_ratio']}, target <= 1.2); {outcome['logins_per_second']} logins/s"
    )
    sys.exit(0 if outcome["p50_ratio"] <= 1.2 else 1)

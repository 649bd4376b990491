"""Latency from a committed change to a live subscriber receiving its notification.

One real ``portal serve`` (uvicorn, Redis) with 200 concurrent graphql-transport-ws
subscribers. This process (another process, like a worker or a second API process) commits
units of work that call ``notify`` (the path every event takes: rows written, commit,
after-commit PUBLISH to Redis, the server's single pub/sub connection, in-memory fan-out,
the websocket). Measured from just before the unit of work starts to the client's receipt.

* one-by-one: each event notifies one random subscriber; the next starts after receipt.
* burst: one event notifying all 200 subscribers; latency per receiver.
* baseline: the raw Redis pub/sub round trip (PUBLISH on one connection, receipt on
  another) in the same run.

Target: p99 under 100 ms.

    PORTAL_BENCH_REDIS_URL=redis://127.0.0.1:6379/14 python -m bench.notification_latency
"""

from __future__ import annotations

import asyncio
import json
import os
import random
import statistics
import sys
import time
import uuid
from datetime import timedelta

import redis.asyncio as aioredis
import websockets

from bench._server import portal_server
from core.db import Database, create_engine
from core.identity.roles import OrganisationKind, Role
from core.identity.secrets import SESSION_PREFIX, new_token
from core.models import Organisation, User, UserRole, UserSession
from core.models.base import utcnow
from core.notifications.kinds import NotificationKind
from core.notifications.service import notify
from core.settings import Settings

SUBSCRIBERS = 200
SAMPLES = 500
BURSTS = 10
SUBSCRIBE = "subscription { notifications { id message } }"


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q / 100 * (len(ordered) - 1)))]


def summary(name: str, values: list[float]) -> str:
    ms = [v * 1000 for v in values]
    return (
        f"{name:<34} n={len(ms):<5} p50={statistics.median(ms):7.2f} ms  "
        f"p99={percentile(ms, 99):7.2f} ms  max={max(ms):7.2f} ms"
    )


async def make_people(db: Database, count: int) -> list[tuple[uuid.UUID, str]]:
    people = []
    async with db.transaction() as session:
        organisation = Organisation(
            id=uuid.uuid4(), kind=OrganisationKind.PROVIDER.value, name="Bench Care"
        )
        session.add(organisation)
        for i in range(count):
            user_id = uuid.uuid4()
            address = f"bench.{i}@bench.example"
            session.add(
                User(
                    id=user_id,
                    organisation_id=organisation.id,
                    email=address,
                    email_key=address,
                    name=f"Bench {i}",
                    email_opt_outs=[],
                )
            )
            session.add(UserRole(user_id=user_id, role=Role.PROVIDER_USER.value))
            token, token_hash = new_token(SESSION_PREFIX)
            session.add(
                UserSession(
                    user_id=user_id, token_hash=token_hash, expires_at=utcnow() + timedelta(hours=2)
                )
            )
            people.append((user_id, token))
    return people


class Subscriber:
    def __init__(self, token: str) -> None:
        self.token = token
        self.waiting: dict[str, asyncio.Future[float]] = {}
        self.received = 0

    async def run(self, url: str, ready: asyncio.Event) -> None:
        async with websockets.connect(url, subprotocols=["graphql-transport-ws"]) as ws:
            await ws.send(
                json.dumps(
                    {
                        "type": "connection_init",
                        "payload": {"authorization": f"Bearer {self.token}"},
                    }
                )
            )
            assert json.loads(await ws.recv())["type"] == "connection_ack"
            await ws.send(
                json.dumps({"id": "1", "type": "subscribe", "payload": {"query": SUBSCRIBE}})
            )
            ready.set()
            async for raw in ws:
                now = time.perf_counter()
                message = json.loads(raw)
                if message.get("type") == "ping":
                    await ws.send(json.dumps({"type": "pong"}))
                    continue
                if message.get("type") != "next":
                    raise RuntimeError(message)
                self.received += 1
                text = message["payload"]["data"]["notifications"]["message"]
                future = self.waiting.pop(text, None)
                if future is not None and not future.done():
                    future.set_result(now)


async def event(db: Database, settings: Settings, recipients: list[uuid.UUID], text: str) -> None:
    async with db.transaction() as session:
        await notify(
            session, settings, recipients=recipients, kind=NotificationKind.REMINDER, message=text
        )


async def redis_baseline(url: str, samples: int) -> list[float]:
    publisher = aioredis.Redis.from_url(url)
    subscriber = aioredis.Redis.from_url(url)
    pubsub = subscriber.pubsub(ignore_subscribe_messages=True)
    await pubsub.subscribe("bench:baseline")
    latencies = []
    try:
        for i in range(samples):
            started = time.perf_counter()
            await publisher.publish("bench:baseline", str(i))
            while await pubsub.get_message(timeout=1) is None:
                if time.perf_counter() - started > 5:
                    raise RuntimeError(f"baseline message {i} did not arrive within 5 s")
            latencies.append(time.perf_counter() - started)
    finally:
        await pubsub.aclose()
        await subscriber.aclose()
        await publisher.aclose()
    return latencies


async def main() -> int:
    redis_url = os.environ.get("PORTAL_BENCH_REDIS_URL", "redis://127.0.0.1:6379/14")
    await aioredis.Redis.from_url(redis_url).flushdb()
    with portal_server(PORTAL_REDIS_URL=redis_url) as (base, environment):
        settings = Settings(
            database_url=environment["PORTAL_DATABASE_URL"],
            redis_url=redis_url,
            base_url=environment["PORTAL_BASE_URL"],
        )
        db = Database(create_engine(settings.database_url))
        people = await make_people(db, SUBSCRIBERS)
        url = base.replace("http://", "ws://") + "/graphql"
        subscribers = [Subscriber(token) for _, token in people]
        readies = [asyncio.Event() for _ in subscribers]
        tasks = [
            asyncio.create_task(s.run(url, r)) for s, r in zip(subscribers, readies, strict=True)
        ]
        await asyncio.wait_for(asyncio.gather(*(r.wait() for r in readies)), 60)

        # warm up until every subscriber receives (subscriptions registered server-side)
        for attempt in range(50):
            await event(db, settings, [u for u, _ in people], f"warm-up {attempt}")
            await asyncio.sleep(0.2)
            if all(s.received for s in subscribers):
                break
        else:
            raise RuntimeError("not every subscriber received the warm-up")

        loop = asyncio.get_running_loop()
        one_by_one, one_commit, burst_commit = [], [], []
        for i in range(SAMPLES):
            index = random.randrange(SUBSCRIBERS)
            text = f"sample {i}"
            future: asyncio.Future[float] = loop.create_future()
            subscribers[index].waiting[text] = future
            started = time.perf_counter()
            await event(db, settings, [people[index][0]], text)
            one_commit.append(time.perf_counter() - started)
            one_by_one.append(await asyncio.wait_for(future, 5) - started)

        burst = []
        for b in range(BURSTS):
            text = f"burst {b}"
            futures = []
            for s in subscribers:
                future = loop.create_future()
                s.waiting[text] = future
                futures.append(future)
            started = time.perf_counter()
            await event(db, settings, [u for u, _ in people], text)
            burst_commit.append(time.perf_counter() - started)
            burst += [t - started for t in await asyncio.wait_for(asyncio.gather(*futures), 10)]

        baseline = await redis_baseline(redis_url, SAMPLES)
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        await db.dispose()

    print(f"{SUBSCRIBERS} subscribers on one portal serve (uvicorn, SQLite, Redis pub/sub)")
    print(summary("commit -> subscriber, one by one", one_by_one))
    print(summary("  of which the unit of work + PUBLISH", one_commit))
    print(summary(f"commit -> all {SUBSCRIBERS}, burst x{BURSTS}", burst))
    print(summary(f"  of which the unit of work ({SUBSCRIBERS} rows+emails)", burst_commit))
    print(summary("baseline: raw Redis pub/sub", baseline))
    ok = percentile(one_by_one, 99) < 0.1
    print(f"target p99 < 100 ms (one by one): {'met' if ok else 'NOT met'}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(asyncio.run(main()))

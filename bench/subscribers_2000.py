"""2,000 live subscribers across 2 ``portal serve`` processes on Redis: latency from a
committed change to the subscriber, one event at a time and in bursts of 50, beside raw
Redis pub/sub doing the same fan-out in the same run.

``portal serve --workers 2`` (uvicorn's supervisor, Redis pub/sub: one connection per
process); 2,000 graphql-transport-ws subscriptions (text frames, the ``graphql-ws``
protocol, ``websockets``), each a user of its own, spread over the two processes by the
kernel (the run prints how many each holds). This process plays a worker or another API
process: it commits units of work that call ``notify`` (rows written, commit, PUBLISH after
the commit, each server's single pub/sub connection, in-memory fan-out, the websocket).
Latency runs from just before the unit of work starts to the client's receipt.

* one at a time: each event notifies one random subscriber; the next starts after receipt.
* burst: one unit of work notifying 50 random subscribers (50 events, as a referral sent
  to 50 providers makes); the latency of each of the 50 receipts.
* baseline: raw Redis pub/sub with the same fan-out: 2,000 subscriber connections (one
  channel each); one PUBLISH to a random one at a time, and bursts of 50 PUBLISHes
  (pipelined) to 50 random ones, from before the PUBLISH to the receipt.

Portal and baseline alternate (two rounds each). Targets: p99 under 100 ms one at a time,
under 250 ms for a burst. File descriptors: the bench raises its soft limit (inherited by
the servers) to what 2,000 websockets and 2,000 Redis connections need.

    python -m bench.subscribers_2000 --quick      # 200 subscribers, a few samples: it works
    PORTAL_BENCH_REDIS_URL=redis://127.0.0.1:6379/14 python -m bench.subscribers_2000
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import resource
import sys
import time
import uuid

import redis.asyncio as aioredis

from bench._server import SERVE_PID, connections_by_process, portal_server, worker_pids
from bench.notification_latency import Subscriber, event, make_people, percentile, summary
from core.db import Database, create_engine
from core.settings import Settings

ONE_TARGET_MS = 100
BURST_TARGET_MS = 250


def raise_file_limit(needed: int) -> int:
    """Raise the soft RLIMIT_NOFILE to ``needed`` (up to the hard limit); the limit now."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    wanted = needed if hard == resource.RLIM_INFINITY else min(needed, hard)
    if soft != resource.RLIM_INFINITY and soft < wanted:
        resource.setrlimit(resource.RLIMIT_NOFILE, (wanted, hard))
        soft = wanted
    if soft != resource.RLIM_INFINITY and soft < needed:
        sys.exit(f"needs {needed} open files; the hard limit is {hard} (ulimit -Hn)")
    return soft


class RedisFanOut:
    """The baseline: ``count`` raw Redis subscriber connections, one channel each."""

    def __init__(self, url: str, count: int) -> None:
        self.url = url
        self.count = count
        self.waiting: dict[tuple[int, str], asyncio.Future[float]] = {}
        self.clients: list[aioredis.Redis] = []
        self.tasks: list[asyncio.Task[None]] = []

    async def start(self) -> None:
        ready = [asyncio.Event() for _ in range(self.count)]
        gate = asyncio.Semaphore(100)
        for i in range(self.count):
            self.tasks.append(asyncio.create_task(self._listen(i, ready[i], gate)))
        await asyncio.wait_for(asyncio.gather(*(r.wait() for r in ready)), 120)
        self.publisher = aioredis.Redis.from_url(self.url)

    async def _listen(self, i: int, ready: asyncio.Event, gate: asyncio.Semaphore) -> None:
        async with gate:
            client = aioredis.Redis.from_url(self.url)
            self.clients.append(client)
            pubsub = client.pubsub(ignore_subscribe_messages=True)
            await pubsub.subscribe(f"bench:fanout:{i}")
        ready.set()
        async for message in pubsub.listen():
            now = time.perf_counter()
            if message.get("type") != "message":
                continue
            future = self.waiting.pop((i, message["data"].decode()), None)
            if future is not None and not future.done():
                future.set_result(now)

    async def send(self, targets: list[int], text: str) -> list[float]:
        loop = asyncio.get_running_loop()
        futures = []
        for i in targets:
            future: asyncio.Future[float] = loop.create_future()
            self.waiting[(i, text)] = future
            futures.append(future)
        started = time.perf_counter()
        async with self.publisher.pipeline(transaction=False) as pipe:
            for i in targets:
                pipe.publish(f"bench:fanout:{i}", text)
            await pipe.execute()
        return [t - started for t in await asyncio.wait_for(asyncio.gather(*futures), 10)]

    async def stop(self) -> None:
        for task in self.tasks:
            task.cancel()
        await asyncio.gather(*self.tasks, return_exceptions=True)
        for client in self.clients:
            await client.aclose()
        await self.publisher.aclose()


async def portal_send(
    db: Database,
    settings: Settings,
    subscribers: list[Subscriber],
    people: list[tuple[uuid.UUID, str]],
    targets: list[int],
    text: str,
) -> tuple[list[float], float]:
    """One unit of work notifying ``targets``: each receipt's latency, and the commit's."""
    loop = asyncio.get_running_loop()
    futures = []
    for i in targets:
        future: asyncio.Future[float] = loop.create_future()
        subscribers[i].waiting[text] = future
        futures.append(future)
    started = time.perf_counter()
    await event(db, settings, [people[i][0] for i in targets], text)
    committed = time.perf_counter() - started
    received = await asyncio.wait_for(asyncio.gather(*futures), 10)
    return [t - started for t in received], committed


async def run(args: argparse.Namespace) -> int:
    limit = raise_file_limit(2 * args.subscribers + 500)
    redis_url = os.environ.get("PORTAL_BENCH_REDIS_URL", "redis://127.0.0.1:6379/14")
    await aioredis.Redis.from_url(redis_url).flushdb()
    started_cpu, begun = time.process_time(), time.perf_counter()
    env = {"PORTAL_REDIS_URL": redis_url}
    if os.environ.get("PORTAL_BENCH_DATABASE_URL"):
        sys.exit("this bench runs on SQLite (its load is the fan-out, not the database)")
    with portal_server(workers=args.workers, **env) as (base, environment):
        settings = Settings(
            database_url=environment["PORTAL_DATABASE_URL"],
            redis_url=redis_url,
            base_url=environment["PORTAL_BASE_URL"],
        )
        port = int(base.rsplit(":", 1)[1])
        pids = worker_pids(int(environment[SERVE_PID])) or [int(environment[SERVE_PID])]
        db = Database(create_engine(settings.database_url))
        print(f"served by {len(pids)} process(es) after {time.perf_counter() - begun:.1f} s")
        people = await make_people(db, args.subscribers)
        url = base.replace("http://", "ws://") + "/graphql"
        subscribers = [Subscriber(token) for _, token in people]
        readies = [asyncio.Event() for _ in subscribers]
        gate = asyncio.Semaphore(25)  # handshakes at once: each signs in (a session lookup)
        retried: list[str] = []

        async def subscribe(s: Subscriber, ready: asyncio.Event) -> None:
            async with gate:
                for attempt in range(3):  # a handshake the server dropped: connect again
                    connected = asyncio.Event()
                    task = asyncio.create_task(s.run(url, connected))
                    waiting = asyncio.create_task(connected.wait())
                    await asyncio.wait(
                        {task, waiting}, timeout=60, return_when=asyncio.FIRST_COMPLETED
                    )
                    waiting.cancel()
                    if not task.done():
                        break
                    error = task.exception()
                    if error is None or attempt == 2:
                        task.result()
                        break
                    retried.append(f"{type(error).__name__}: {error}")
            ready.set()
            await task

        opening = time.perf_counter()
        tasks = [
            asyncio.create_task(subscribe(s, r)) for s, r in zip(subscribers, readies, strict=True)
        ]
        await asyncio.wait_for(asyncio.gather(*(r.wait() for r in readies)), 600)
        print(
            f"{args.subscribers} subscriptions opened in {time.perf_counter() - opening:.1f} s"
            f"; handshakes dropped and made again: {len(retried)} {sorted(set(retried))[:3]}"
        )
        # warm up until every subscriber receives (subscriptions registered server-side)
        everyone = list(range(args.subscribers))
        for attempt in range(60):
            await event(db, settings, [u for u, _ in people], f"warm-up {attempt}")
            await asyncio.sleep(0.5)
            if all(s.received for s in subscribers):
                break
        else:
            missing = sum(not s.received for s in subscribers)
            raise RuntimeError(f"{missing} subscribers did not receive the warm-up")
        print(f"every subscriber received after {attempt + 1} warm-up event(s)")
        per_process = connections_by_process(pids, port)

        baseline = RedisFanOut(redis_url, args.subscribers)
        await baseline.start()
        one: dict[str, list[float]] = {"portal": [], "redis": []}
        burst: dict[str, list[float]] = {"portal": [], "redis": []}
        one_commit, burst_commit = [], []
        cpu_before = time.process_time()
        wall_before = time.perf_counter()
        rounds = 2
        for r in range(rounds):
            for i in range(args.samples // rounds):
                target = random.randrange(args.subscribers)
                latencies, committed = await portal_send(
                    db, settings, subscribers, people, [target], f"one {r}.{i}"
                )
                one["portal"] += latencies
                one_commit.append(committed)
            for b in range(args.bursts // rounds):
                targets = random.sample(everyone, args.burst_size)
                latencies, committed = await portal_send(
                    db, settings, subscribers, people, targets, f"burst {r}.{b}"
                )
                burst["portal"] += latencies
                burst_commit.append(committed)
                await asyncio.sleep(0.05)
            for i in range(args.samples // rounds):
                one["redis"] += await baseline.send(
                    [random.randrange(args.subscribers)], f"one {r}.{i}"
                )
            for b in range(args.bursts // rounds):
                burst["redis"] += await baseline.send(
                    random.sample(everyone, args.burst_size), f"burst {r}.{b}"
                )
                await asyncio.sleep(0.05)
        client_cpu = time.process_time() - cpu_before
        wall = time.perf_counter() - wall_before
        await baseline.stop()
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        await db.dispose()

    one_p99 = percentile(one["portal"], 99) * 1000
    burst_p99 = percentile(burst["portal"], 99) * 1000
    print(
        f"{args.subscribers} subscribers on portal serve --workers {args.workers} (SQLite, "
        f"Redis pub/sub); open-file limit {limit}; subscriptions per process "
        f"{sorted(per_process.values())}"
    )
    print(summary("change -> subscriber, one at a time", one["portal"]))
    print(summary("  of which the unit of work + PUBLISH", one_commit))
    print(summary("baseline: raw Redis, one at a time", one["redis"]))
    print(summary(f"change -> {args.burst_size} subscribers, burst", burst["portal"]))
    print(summary(f"  of which the unit of work ({args.burst_size} rows)", burst_commit))
    print(summary(f"baseline: raw Redis, {args.burst_size} PUBLISHes", burst["redis"]))
    print(
        f"this process (the clients, the baseline, the writes): {client_cpu:.1f} s CPU in "
        f"{wall:.1f} s measured ({100 * client_cpu / wall:.0f}% of a core); "
        f"{time.process_time() - started_cpu:.1f} s CPU in all"
    )
    ratios = {
        "one_p99_ms": round(one_p99, 1),
        "one_p99_vs_redis": round(one_p99 / (percentile(one["redis"], 99) * 1000), 1),
        "burst_p99_ms": round(burst_p99, 1),
        "burst_p99_vs_redis": round(burst_p99 / (percentile(burst["redis"], 99) * 1000), 1),
    }
    print(json.dumps(ratios))
    ok = one_p99 < ONE_TARGET_MS and burst_p99 < BURST_TARGET_MS
    print(
        f"target p99 < {ONE_TARGET_MS} ms one at a time: "
        f"{'met' if one_p99 < ONE_TARGET_MS else 'NOT met'}; "
        f"< {BURST_TARGET_MS} ms in a burst: "
        f"{'met' if burst_p99 < BURST_TARGET_MS else 'NOT met'}"
    )
    return 0 if ok else 1


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--subscribers", type=int, default=2000)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--samples", type=int, default=400, help="events one at a time")
    parser.add_argument("--bursts", type=int, default=20)
    parser.add_argument("--burst-size", type=int, default=50)
    parser.add_argument(
        "--quick", action="store_true", help="200 subscribers, 20 samples, 2 bursts: it works"
    )
    args = parser.parse_args()
    if args.quick:
        args.subscribers, args.samples, args.bursts = 200, 20, 2
    try:
        import uvloop
    except ImportError:
        return asyncio.run(run(args))
    with asyncio.Runner(loop_factory=uvloop.new_event_loop) as runner:
        return runner.run(run(args))


if __name__ == "__main__":
    sys.exit(main())

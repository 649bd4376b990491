"""Prometheus metrics (``GET /metrics``), kept by ``prometheus-client``.

Counters and histograms move where their event happens (a request, a failed login, an email
sent, a webhook attempt). Figures that are state, not events (the outbox backlog, the oldest
due email, the webhook backlog, Dramatiq queue depths) are read when scraped
(:func:`state_families`), so every process reports the same truth.

Several ``portal serve`` processes: set ``PROMETHEUS_MULTIPROC_DIR`` to an empty directory
writable by all of them *before* they start; each process then writes its figures there and
``/metrics`` in any of them sums every process's (``prometheus-client``'s multiprocess mode).
Gauges of a process (connections in use, live subscriptions) count only live processes.
"""

from __future__ import annotations

import os
import re
import time
from collections.abc import Iterable
from typing import Any

from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    generate_latest,
)
from prometheus_client.core import GaugeMetricFamily, Metric
from prometheus_client.registry import REGISTRY, Collector

MULTIPROCESS = bool(os.environ.get("PROMETHEUS_MULTIPROC_DIR"))
CONTENT_TYPE = CONTENT_TYPE_LATEST

_LATENCY_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)

GRAPHQL_REQUESTS = Counter(
    "portal_graphql_requests",
    "GraphQL operations answered, by operation name and outcome "
    "(ok, errors: the response had GraphQL errors, rejected: refused before it ran).",
    ["operation", "outcome"],
)
GRAPHQL_LATENCY = Histogram(
    "portal_graphql_request_duration_seconds",
    "Time to answer a GraphQL request over HTTP, by operation name.",
    ["operation"],
    buckets=_LATENCY_BUCKETS,
)
HTTP_REQUESTS = Counter(
    "portal_http_requests",
    "HTTP requests answered, by route and status code.",
    ["route", "method", "status"],
)
HTTP_LATENCY = Histogram(
    "portal_http_request_duration_seconds",
    "Time to answer an HTTP request, by route.",
    ["route"],
    buckets=_LATENCY_BUCKETS,
)
DB_POOL_IN_USE = Gauge(
    "portal_db_pool_connections_in_use",
    "Database connections checked out of the pool now.",
    multiprocess_mode="livesum",
)
DB_POOL_WAITS = Counter(
    "portal_db_pool_waits",
    "Checkouts that waited for a connection (every pooled connection was in use).",
)
DB_POOL_WAIT_SECONDS = Histogram(
    "portal_db_pool_wait_seconds",
    "How long checkouts that waited waited for a connection.",
    buckets=(0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1.0, 5.0, 30.0),
)
LIVE_SUBSCRIPTIONS = Gauge(
    "portal_live_subscriptions",
    "GraphQL subscriptions open now.",
    multiprocess_mode="livesum",
)
LOGIN_FAILURES = Counter(
    "portal_login_failures",
    "Failed sign-in steps, by reason (password, unknown_account, throttled, totp).",
    ["reason"],
)
LOCKOUTS = Counter(
    "portal_account_lockouts",
    "Email addresses slowed down after repeated failed sign-ins (a wait, never a lock).",
)
EMAILS_SENT = Counter("portal_emails_sent", "Outbox emails the SMTP server accepted.")
EMAILS_FAILED = Counter("portal_email_failures", "Outbox email sends that failed (retried).")
WEBHOOK_ATTEMPTS = Counter(
    "portal_webhook_attempts",
    "Webhook POSTs made, by result (delivered, failed).",
    ["result"],
)
WEBHOOK_ENDPOINTS_DISABLED = Counter(
    "portal_webhook_endpoints_disabled",
    "Webhook endpoints disabled after failing for 24 hours.",
)

#: A GraphQL operation name becomes a label only if it looks like one, and only the first
#: ``MAX_OPERATION_NAMES`` distinct names of a process: clients choose the names, and
#: each label value is a series kept for ever.
MAX_OPERATION_NAMES = 200
_OPERATION_NAME = re.compile(r"[_A-Za-z][_0-9A-Za-z]{0,63}")
_operation_names: set[str] = set()


def operation_label(name: str | None) -> str:
    if not name:
        return "anonymous"
    if name in _operation_names:
        return name
    if len(_operation_names) >= MAX_OPERATION_NAMES or not _OPERATION_NAME.fullmatch(name):
        return "other"
    _operation_names.add(name)
    return name


def instrument_engine(engine: Any) -> None:
    """Count the engine's connections in use, and the checkouts that wait and for how long."""
    from sqlalchemy import event

    pool = engine.sync_engine.pool
    if getattr(pool, "_portal_instrumented", False):
        return
    pool._portal_instrumented = True

    @event.listens_for(pool, "checkout")
    def _checkout(*_: Any) -> None:
        DB_POOL_IN_USE.inc()

    @event.listens_for(pool, "checkin")
    def _checkin(*_: Any) -> None:
        DB_POOL_IN_USE.dec()

    size = getattr(pool, "size", None)
    checked_out = getattr(pool, "checkedout", None)
    overflow = getattr(pool, "_max_overflow", None)
    if not callable(size) or not callable(checked_out) or overflow is None:
        return  # not a queue pool: nothing waits
    limit = size() + max(overflow, 0)
    get = pool._do_get

    def timed_get() -> Any:
        # A checkout waits only when every connection the pool may open is out already.
        if checked_out() < limit:
            return get()
        started = time.perf_counter()
        try:
            return get()
        finally:
            DB_POOL_WAITS.inc()
            DB_POOL_WAIT_SECONDS.observe(time.perf_counter() - started)

    pool._do_get = timed_get


def _gauge(name: str, documentation: str, value: float | None) -> GaugeMetricFamily:
    family = GaugeMetricFamily(name, documentation)
    if value is not None:
        family.add_metric([], value)
    return family


class _Families(Collector):
    def __init__(self, families: Iterable[Metric]) -> None:
        self.families = list(families)

    def collect(self) -> Iterable[Metric]:
        return self.families


async def state_families(db: Any, broker: Any) -> list[Metric]:
    """The figures read at scrape time: the outbox and webhook backlogs, the age of the
    oldest due email, and how many messages wait in each Dramatiq queue."""
    from core.observability.state import broker_queue_depths, outbox_state, webhook_backlog

    families: list[Metric] = []
    backlog, oldest_age = await outbox_state(db)
    families.append(
        _gauge("portal_outbox_backlog", "Outbox emails not sent yet.", backlog),
    )
    families.append(
        _gauge(
            "portal_outbox_oldest_due_age_seconds",
            "Age of the oldest outbox email that is due and not sent (0 when none).",
            oldest_age,
        )
    )
    families.append(
        _gauge(
            "portal_webhook_backlog",
            "Webhook deliveries waiting to be sent.",
            await webhook_backlog(db),
        )
    )
    depth = GaugeMetricFamily(
        "portal_dramatiq_queue_depth",
        "Messages enqueued and not yet done, by Dramatiq queue (delayed ones included).",
        labels=["queue"],
    )
    for queue, count in (await broker_queue_depths(broker)).items():
        depth.add_metric([queue], count)
    families.append(depth)
    return families


def exposition(extra: Iterable[Metric] = ()) -> bytes:
    """The metrics of this process (or, in multiprocess mode, of every process), followed by
    ``extra`` families, in the Prometheus text format."""
    if MULTIPROCESS:
        from prometheus_client import multiprocess

        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)
        body = generate_latest(registry)
    else:
        body = generate_latest(REGISTRY)
    extra_registry = CollectorRegistry(auto_describe=False)
    extra_registry.register(_Families(extra))
    return body + generate_latest(extra_registry)


def process_exited(pid: int) -> None:
    """Tell multiprocess mode that a serve process ended (its live gauges stop counting).

    Read the directory now, not at import: ``portal serve --workers N`` may choose it after
    this module was imported (its supervisor calls this for workers that died)."""
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        from prometheus_client import multiprocess

        multiprocess.mark_process_dead(pid)

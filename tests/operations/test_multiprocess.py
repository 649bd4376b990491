"""Several serve processes: with PROMETHEUS_MULTIPROC_DIR, /metrics in any one of them
reports the sum of every process's counters, and only live processes' gauges."""

import os
import subprocess
import sys
from pathlib import Path

from prometheus_client.parser import text_string_to_metric_families

COUNT = """
import os, sys
from core.observability import metrics
metrics.LOGIN_FAILURES.labels("password").inc(3)
metrics.LIVE_SUBSCRIPTIONS.inc()
if sys.argv[1:] == ["exit"]:
    metrics.process_exited(os.getpid())  # what the app's shutdown does
"""
SCRAPE = """
import sys
from core.observability import metrics
sys.stdout.write(metrics.exposition().decode())
"""


def _run(code: str, directory: Path, *args: str) -> str:
    return subprocess.run(
        [sys.executable, "-c", code, *args],
        env={**os.environ, "PROMETHEUS_MULTIPROC_DIR": str(directory)},
        capture_output=True,
        text=True,
        check=True,
    ).stdout


def _value(text: str, name: str, **labels: str) -> float:
    for family in text_string_to_metric_families(text):
        for sample in family.samples:
            if sample.name == name and sample.labels == labels:
                return sample.value
    return 0.0


def test_counters_of_every_process_are_summed(tmp_path: Path) -> None:
    # given two processes that each counted three failed logins and a subscription; one of
    # them has shut down, the other is still running (its files not marked dead)
    _run(COUNT, tmp_path, "exit")
    _run(COUNT, tmp_path)
    # when a third is scraped
    text = _run(SCRAPE, tmp_path)
    # then counters add up, and only the live process's subscription counts
    assert _value(text, "portal_login_failures_total", reason="password") == 6
    assert _value(text, "portal_live_subscriptions") == 1

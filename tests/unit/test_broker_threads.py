"""A process makes many brokers (the tests make one per app): Dramatiq's TimeLimit thread,
which never ends, is started once per process, not once per broker."""

from __future__ import annotations

import threading

from dramatiq.middleware import TimeLimit

from core.jobs.broker import create_broker
from core.settings import Settings


def _time_limit_threads() -> list[threading.Thread]:
    return [t for t in threading.enumerate() if type(t).__name__ == "_CtypesTimeoutManager"]


def test_brokers_made_one_after_another_share_one_time_limit_thread() -> None:
    # given
    settings = Settings(database_url="sqlite+aiosqlite://", env="test")
    create_broker(settings)
    before = len(_time_limit_threads())
    # when
    brokers = [create_broker(settings) for _ in range(5)]
    # then: no new thread, and every broker still limits its actors' time
    assert len(_time_limit_threads()) == before == 1
    limits = [[m for m in b.middleware if isinstance(m, TimeLimit)] for b in brokers]
    assert all(len(found) == 1 for found in limits)
    assert len({id(found[0]) for found in limits}) == 1
    assert all("time_limit" in b.actor_options for b in brokers)

"""Counting SQL statements per request, for the N+1 checks and benchmarks.

The listener is attached to every Engine (class-level, so it also sees the sync engine behind
an AsyncEngine). A counter is active only inside :func:`count_queries`; it is a mutable object
so that tasks spawned by the GraphQL executor and DataLoaders, which copy the context, add to
the same count.
"""

from __future__ import annotations

import contextvars
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import event
from sqlalchemy.engine import Engine


class QueryCounter:
    __slots__ = ("statements",)

    def __init__(self) -> None:
        self.statements: list[str] = []

    @property
    def count(self) -> int:
        return len(self.statements)


_current: contextvars.ContextVar[QueryCounter | None] = contextvars.ContextVar(
    "portal_query_counter", default=None
)


@event.listens_for(Engine, "before_cursor_execute")
def _count(
    conn: Any, cursor: Any, statement: str, parameters: Any, context: Any, executemany: bool
) -> None:
    counter = _current.get()
    if counter is not None and statement not in ("BEGIN", "BEGIN IMMEDIATE"):
        counter.statements.append(statement)


def count_statement(statement: str) -> None:
    """Count a statement sent at the driver, past SQLAlchemy's cursor events
    (``core.db.DriverSelect``), as the listener above counts the others."""
    counter = _current.get()
    if counter is not None:
        counter.statements.append(statement)


@contextmanager
def count_queries() -> Iterator[QueryCounter]:
    """Count the SQL statements run in this context (and in tasks it starts)."""
    counter = QueryCounter()
    token = _current.set(counter)
    try:
        yield counter
    finally:
        _current.reset(token)

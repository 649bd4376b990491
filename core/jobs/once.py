"""Once-only acts of periodic sweeps, enforced by the database (``sweep_marks``)."""

from __future__ import annotations

import uuid
from collections.abc import Iterable

from sqlalchemy.ext.asyncio import AsyncSession

from core.db import upsert_insert
from core.models import SweepMark
from core.models.base import utcnow


async def claim_once(session: AsyncSession, kind: str, key: str) -> bool:
    """Mark ``(kind, key)`` as done in this unit of work; False if it was done already.

    Do the act (write its notifications) in the same unit of work only when this returns
    True. Concurrent units of work claiming the same mark serialise on the unique key (the
    second waits for the first to commit, then finds the mark), so two sweeps running at
    once act once; if the act's unit of work rolls back, so does the mark.
    """
    return key in await claim_each(session, kind, [key])


async def claim_each(session: AsyncSession, kind: str, keys: Iterable[str]) -> set[str]:
    """:func:`claim_once` for many marks in one statement: the keys claimed now (those done
    already are left out). Keys are claimed in sorted order, so two sweeps claiming
    overlapping batches wait for each other instead of deadlocking."""
    wanted = sorted(set(keys))
    if not wanted:
        return set()
    now = utcnow()
    insert = upsert_insert(session)
    statement = (
        insert(SweepMark)
        .values(
            [{"id": uuid.uuid4(), "kind": kind, "key": key, "created_at": now} for key in wanted]
        )
        .on_conflict_do_nothing(index_elements=["kind", "key"])
        .returning(SweepMark.key)
    )
    return set((await session.scalars(statement)).all())

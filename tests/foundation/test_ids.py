"""Time-ordered ids (core/ids.py): UUID version 7 from Python and from the database."""

from __future__ import annotations

import time
import uuid

from sqlalchemy import select

from core.db import Database
from core.ids import time_ordered_id, time_ordered_id_sql


def test_a_time_ordered_id_is_a_version_7_uuid_that_starts_with_the_time() -> None:
    before = time.time_ns() // 1_000_000
    made = time_ordered_id()
    after = time.time_ns() // 1_000_000
    assert made.version == 7 and made.variant == uuid.RFC_4122
    assert before <= made.int >> 80 <= after


def test_time_ordered_ids_made_later_sort_later() -> None:
    first = time_ordered_id()
    time.sleep(0.002)
    assert time_ordered_id() > first


async def test_the_database_makes_version_7_ids_that_start_with_the_time(db: Database) -> None:
    before = time.time_ns() // 1_000_000 - 5
    async with db.session() as session:
        dialect = session.bind.dialect.name
        made = list(
            await session.scalars(
                select(time_ordered_id_sql(dialect)).select_from(
                    select(1).union_all(select(2), select(3)).subquery()
                )
            )
        )
    after = time.time_ns() // 1_000_000 + 5
    assert len(set(made)) == 3
    for value in made:
        assert isinstance(value, uuid.UUID)
        assert value.version == 7 and value.variant == uuid.RFC_4122
        assert before <= value.int >> 80 <= after

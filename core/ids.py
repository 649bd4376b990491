"""Time-ordered ids (UUID version 7, RFC 9562) for rows written in bulk.

A referral sent across a region writes thousands of notifications, outbox emails and
deliveries at once. With random (version 4) keys each row lands on a random page of every
index keyed by it, so one send dirties hundreds of index pages (and on SQLite triggers a WAL
checkpoint); keys that start with the time land together at the end of the index. The ids
stay unguessable (74 random bits) and reveal only the millisecond they were made, which the
rows' own timestamps show anyway.
"""

from __future__ import annotations

import os
import time
import uuid

from sqlalchemy import Uuid, literal_column
from sqlalchemy.sql.elements import ColumnElement

_MS_MASK = (1 << 48) - 1


def time_ordered_id() -> uuid.UUID:
    """48 bits of Unix milliseconds, the version (7), 12 random bits, the variant, 62 more."""
    value = (time.time_ns() // 1_000_000 & _MS_MASK) << 80 | int.from_bytes(os.urandom(10), "big")
    value = (value & ~(0xF << 76)) | (0x7 << 76)
    value = (value & ~(0x3 << 62)) | (0x2 << 62)
    return uuid.UUID(int=value)


#: The same, made by the database for each row of an INSERT ... SELECT. PostgreSQL overlays
#: the milliseconds on a random (v4) UUID and turns its version into 7; SQLite builds the
#: 32 hex digits SQLAlchemy keeps there (all rows of one statement share its millisecond).
_POSTGRESQL = (
    "CAST(encode(set_bit(set_bit(overlay(uuid_send(gen_random_uuid()) placing "
    "substring(int8send(floor(extract(epoch from clock_timestamp()) * 1000)::bigint) from 3) "
    "from 1 for 6), 52, 1), 53, 1), 'hex') AS uuid)"
)
_SQLITE = (
    "(printf('%012x', CAST((julianday('now') - 2440587.5) * 86400000 AS INTEGER)) || '7' "
    "|| substr(lower(hex(randomblob(2))), 1, 3) "
    "|| substr('89ab', (abs(random()) % 4) + 1, 1) "
    "|| substr(lower(hex(randomblob(8))), 1, 15))"
)


def time_ordered_id_sql(dialect: str) -> ColumnElement[uuid.UUID]:
    return literal_column(_POSTGRESQL if dialect == "postgresql" else _SQLITE, Uuid())

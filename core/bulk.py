"""Many rows in one statement: values passed as ONE JSON parameter, read as a table inside
the database.

A referral sent across a region writes a thousand rows at once. An executemany binds and
converts every value in Python and sends every row on its own; an ``INSERT ... SELECT`` from
a JSON array sends one string and lets the database do the rest. SQLite reads the array with
``json_each``, PostgreSQL with ``jsonb_array_elements``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import orjson
from sqlalchemy import ColumnElement, String, cast, func, literal
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.sql.expression import Subquery, select
from sqlalchemy.types import TypeEngine

#: A value as JSON carries it: UUIDs as hex text (what SQLite stores; PostgreSQL casts it).
JsonValue = str | int | None


def json_rows(
    dialect: str,
    rows: Sequence[Sequence[JsonValue]],
    columns: Mapping[str, TypeEngine[Any]],
) -> Subquery:
    """A table of ``rows`` (each the values of ``columns``, in order), bound as one parameter.

    Its columns carry the given types, so they compare with and insert into typed columns on
    PostgreSQL (SQLite keeps UUIDs as the hex text they arrive as).
    """
    payload = literal(orjson.dumps(rows).decode(), String)
    if dialect == "postgresql":
        table = func.jsonb_array_elements(cast(payload, JSONB)).table_valued("value")
        value: ColumnElement[object] = table.c.value
        fields = [cast(value.op("->>")(i), type_) for i, type_ in enumerate(columns.values())]
    else:
        table = func.json_each(payload).table_valued("value")
        fields = [
            cast(func.json_extract(table.c.value, f"$[{i}]"), type_)
            for i, type_ in enumerate(columns.values())
        ]
    return select(
        *(field.label(name) for field, name in zip(fields, columns, strict=True))
    ).subquery()

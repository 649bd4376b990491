"""``as_json``: a mapping as a value of strawberry's JSON scalar."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, cast

from strawberry.scalars import JSON


def as_json(value: Mapping[str, Any]) -> JSON:
    """A copy of ``value`` typed as the JSON scalar (a NewType to the type checker)."""
    return cast(JSON, dict(value))

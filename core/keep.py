"""``KEEP``: a field left out of an update, so what is there stays (distinct from None, which
clears a field)."""

from __future__ import annotations

from typing import Any


class _Keep:
    def __repr__(self) -> str:
        return "KEEP"


KEEP: Any = _Keep()

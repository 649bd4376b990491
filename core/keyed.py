"""Results in key order: how every bulk read of a DataLoader ends.

A loader asks for a batch of keys and must get back one result per key, in the keys' order
(None, or an empty list, where nothing was found). These three say so once, instead of a
dictionary and a comprehension at the end of every loader.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Hashable, Iterable, Mapping, Sequence
from operator import attrgetter
from typing import Any, TypeVar

K = TypeVar("K", bound=Hashable)
V = TypeVar("V")

_ID: Callable[[Any], Any] = attrgetter("id")


def one_each(keys: Sequence[K], rows: Iterable[V], key: Callable[[V], K] = _ID) -> list[V | None]:
    """Each key's row (by ``key``, the row's ``id`` unless told), None where there is none."""
    found = {key(row): row for row in rows}
    return [found.get(k) for k in keys]


def groups(
    keys: Sequence[K], rows: Iterable[Any], key: Callable[[Any], K] | None = None
) -> list[list[Any]]:
    """Each key's rows in the order read, [] where there are none. The rows are
    ``(key, value)`` pairs, or values whose key ``key`` gives."""
    found: dict[K, list[Any]] = defaultdict(list)
    if key is None:
        for k, value in rows:
            found[k].append(value)
    else:
        for row in rows:
            found[key(row)].append(row)
    return [found.get(k, []) for k in keys]


def in_key_order(keys: Sequence[K], found: Mapping[K, V], default: Any = None) -> list[Any]:
    """Each key's value from ``found``, ``default`` where it has none."""
    return [found.get(k, default) for k in keys]

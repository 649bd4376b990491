"""Lists of objects that the executor may complete straight from their rows.

A page of 50 referrals made 50 ``Referral`` objects (and their children and deliveries) only
for the executor to read a few attributes of each back out. A :class:`RowList` stands for
such a list: it holds the rows and the function that makes the objects (the general path),
and a :class:`Lane`: for each GraphQL object type, how each of its plain fields is read from
a row. For a selection of plain fields only, the executor (schema/execution.py) generates one
function per shape of selection that reads the selected fields from the rows and completes
them as it would complete the objects' attributes; anything else (a field the lane does not
read, a row its guard refuses, a value it does not take) makes the objects and completes
them as before. tests/referrals/test_lanes.py checks every lane field against the objects,
and whole responses with and without lanes.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar, overload

T = TypeVar("T")


@dataclass(frozen=True, eq=False)
class Source:
    """How a lane reads one object type from a row ``x``.

    ``fields``: attribute -> a Python expression over ``x`` giving the attribute's value, as
    the object made from ``x`` would hold it. For an attribute holding objects (or a list of
    them), the expression gives their rows, read by ``nested[attribute]``. ``guard``: an
    expression over ``x`` that must be true for the lane to take the row. Expressions name
    the row ``{x}``.
    """

    origin: type
    fields: Mapping[str, str]
    nested: Mapping[str, Source] = field(default_factory=dict)
    guard: str | None = None
    #: name -> an expression over ``x``, computed once per row before the guard; the other
    #: expressions read it as ``{name}``.
    let: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True, eq=False)
class Lane:
    """The rows of a :class:`RowList` read by ``source`` (its items' type); ``namespace``:
    the names the expressions use."""

    name: str
    source: Source
    namespace: Mapping[str, Any]


class RowList(Sequence[T], Generic[T]):
    """A list of objects made from ``rows`` by ``make`` when first read as a list (Python
    code, graphql-core's own executor); the executor may complete it through ``lane``
    without making them."""

    __slots__ = ("_objects", "lane", "make", "rows")

    def __init__(
        self, rows: Sequence[Any], make: Callable[[Sequence[Any]], list[T]], lane: Lane | None
    ) -> None:
        self.rows = rows
        self.make = make
        self.lane = lane
        self._objects: list[T] | None = None

    def objects(self) -> list[T]:
        """The objects, made once."""
        if self._objects is None:
            self._objects = self.make(self.rows)
        return self._objects

    @overload
    def __getitem__(self, index: int) -> T: ...

    @overload
    def __getitem__(self, index: slice) -> list[T]: ...

    def __getitem__(self, index: int | slice) -> T | list[T]:
        return self.objects()[index]

    def __len__(self) -> int:
        return len(self.rows)

    def __iter__(self) -> Iterator[T]:
        return iter(self.objects())

    def __repr__(self) -> str:
        return f"RowList({self.objects()!r})"

"""The portal's executor (schema/execution.py) gives exactly graphql-core's results.

Each query runs on one small schema twice, with strawberry's own execution context and with
PortalExecutionContext, and the two results (data and errors, with their paths) must be equal.
The shapes are the ones the fast path handles and the ones it must hand back: nulls in non-null
places, values of the wrong type, resolvers that fail, awaitables, interfaces, fragments.
"""

from __future__ import annotations

import asyncio
import enum
from datetime import UTC, datetime

import pytest
import strawberry
from strawberry.permission import BasePermission
from strawberry.schema.schema import StrawberryGraphQLCoreExecutionContext

from schema.execution import PortalExecutionContext


@strawberry.enum
class Colour(enum.Enum):
    RED = "RED"
    BLUE = "BLUE"


@strawberry.interface
class Named:
    name: str


@strawberry.type
class Child(Named):
    age: int
    tags: list[str]
    nickname: str | None = None

    @strawberry.field
    async def later(self) -> int:
        await asyncio.sleep(0)
        return self.age * 2

    @strawberry.field
    def broken(self) -> int | None:
        raise ValueError("broken on purpose")


class Deny(BasePermission):
    message = "Not for you."

    def has_permission(self, source: object, info: object, **kwargs: object) -> bool:
        return False


@strawberry.type
class Parent:
    name: str
    #: No resolver, but a permission class: never completed as a plain field.
    secret: str | None = strawberry.field(default="s3cret", permission_classes=[Deny])
    colour: Colour
    born: datetime
    children: list[Child]
    maybe_children: list[Child | None] | None
    favourite: Child | None
    friend: Named | None
    scores: list[list[int]]


@strawberry.type
class Holder:
    """Values deliberately wrong for their declared types, for the error paths."""

    null_name: str
    wrong_child: Child
    null_child_in_list: list[Child]
    null_in_scores: list[int]
    not_a_list: list[int]


def _child(age: int, name: str = "c") -> Child:
    return Child(name=f"{name}{age}", age=age, tags=["a", str(age)])


def _parent() -> Parent:
    kids = [_child(3), _child(5), _child(8)]
    return Parent(
        name="p",
        colour=Colour.BLUE,
        born=datetime(2020, 1, 2, 3, 4, 5, tzinfo=UTC),
        children=kids,
        maybe_children=[kids[0], None, kids[2]],
        favourite=kids[1],
        friend=kids[2],
        scores=[[1, 2], [], [3]],
    )


@strawberry.type
class Query:
    @strawberry.field
    async def parent(self) -> Parent:
        return _parent()

    @strawberry.field
    def parents(self) -> list[Parent]:
        return [_parent(), _parent()]

    @strawberry.field
    def holder(self) -> Holder | None:
        return Holder(
            null_name=None,  # type: ignore[arg-type]
            wrong_child={"name": "x", "age": 1},  # type: ignore[arg-type]
            null_child_in_list=[_child(1), None],  # type: ignore[list-item]
            null_in_scores=[1, None],  # type: ignore[list-item]
            not_a_list=7,  # type: ignore[arg-type]
        )


def _schemas() -> tuple[strawberry.Schema, strawberry.Schema]:
    plain = strawberry.Schema(
        query=Query, types=[Child], execution_context_class=StrawberryGraphQLCoreExecutionContext
    )
    portal = strawberry.Schema(
        query=Query, types=[Child], execution_context_class=PortalExecutionContext
    )
    return plain, portal


def _shape(result: object) -> dict[str, object]:
    errors = [
        {"message": e.message, "path": e.path} for e in (getattr(result, "errors", None) or [])
    ]
    return {"data": getattr(result, "data", None), "errors": errors}


QUERIES = {
    "plain scalars, enums and custom scalars": "{ parent { name colour born } }",
    "lists of objects, leaves and nested lists": (
        "{ parents { children { name age tags nickname } scores } }"
    ),
    "nullable items and objects": "{ parent { maybeChildren { age } favourite { name } } }",
    "resolvers beside plain fields, sync and async": (
        "{ parent { children { age later broken name } } }"
    ),
    "an interface-typed field": "{ parent { friend { name ... on Child { age } } } }",
    "aliases, fragments, skip and include": (
        "query ($yes: Boolean!) { parent { a: name b: name ...F children @skip(if: $yes) { age }"
        " favourite @include(if: $yes) { x: age __typename } } } fragment F on Parent { colour }"
    ),
    "null for a non-null leaf": "{ holder { nullName } }",
    "a value of the wrong type for an object": "{ holder { wrongChild { name } } }",
    "null inside a list of non-null objects": "{ holder { nullChildInList { age } } }",
    "null inside a list of non-null leaves": "{ holder { nullInScores } }",
    "not a list where a list is declared": "{ holder { notAList } }",
    "a field with a permission class": "{ parent { name secret } }",
    "typename everywhere": "{ __typename parent { __typename children { __typename } } }",
}


@pytest.mark.parametrize("query", list(QUERIES.values()), ids=list(QUERIES))
async def test_portal_execution_gives_graphql_core_results(query: str) -> None:
    plain, portal = _schemas()
    expected = await plain.execute(query, variable_values={"yes": True})
    got = await portal.execute(query, variable_values={"yes": True})
    assert _shape(got) == _shape(expected)
    again = await portal.execute(query, variable_values={"yes": False})
    assert _shape(again) == _shape(await plain.execute(query, variable_values={"yes": False}))


def test_graphql_core_is_exactly_the_version_the_executor_was_written_against() -> None:
    # given: PortalExecutionContext overrides graphql-core internals of one release
    import tomllib
    from pathlib import Path

    import graphql

    from schema.execution import GRAPHQL_CORE_VERSION

    pyproject = tomllib.loads((Path(__file__).resolve().parents[2] / "pyproject.toml").read_text())
    # when
    pins = [d for d in pyproject["project"]["dependencies"] if d.startswith("graphql-core")]
    # then
    assert graphql.__version__ == GRAPHQL_CORE_VERSION, (
        f"graphql-core {graphql.__version__} is installed but schema/execution.py was written "
        f"against {GRAPHQL_CORE_VERSION}: review PortalExecutionContext against the new "
        "release (it overrides executor internals), then change GRAPHQL_CORE_VERSION and the "
        "pin in pyproject.toml together."
    )
    assert pins == [f"graphql-core=={GRAPHQL_CORE_VERSION}"]


def test_on_another_graphql_core_the_schema_uses_the_standard_executor(monkeypatch) -> None:
    # given
    import graphql

    from schema.execution import execution_context_class

    monkeypatch.setattr(graphql, "__version__", "3.4.0")
    # when
    chosen = execution_context_class()
    # then
    assert chosen is StrawberryGraphQLCoreExecutionContext

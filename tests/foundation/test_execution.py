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

import hypothesis_graphql
import pytest
import strawberry
from hypothesis import HealthCheck, given, settings
from strawberry.extensions import ParserCache, SchemaExtension
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
    #: A Child marked (strawberry.cast) as another type: its is_type_of says no.
    cast_child: Child
    cast_children: list[Child]


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
            cast_child=strawberry.cast(Parent, _child(2)),
            cast_children=[_child(4), strawberry.cast(Child, _child(6))],
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
    "an object cast to another type, and to its own": (
        "{ holder { castChild { name } castChildren { age } } }"
    ),
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


# ------------------------------------------------------------------ the fences around the path


@strawberry.type
class Checked:
    """A type with its own is_type_of, which reads the info graphql-core gives it."""

    label: str

    @classmethod
    def is_type_of(cls, obj: object, info: object) -> bool:
        return info.field_name == "checked" and isinstance(obj, cls)  # type: ignore[attr-defined]


class Counted:
    """A source whose attribute counts its reads (a property that is not idempotent)."""

    def __init__(self) -> None:
        self.reads = 0

    @property
    def value(self) -> int:
        self.reads += 1
        return None  # type: ignore[return-value]  # null for a non-null field: the fallback


@strawberry.type
class Reading:
    value: int


@strawberry.type
class Box:
    checked: Checked


def _fenced_schema(execution_context_class: type) -> strawberry.Schema:
    counted = Counted()

    @strawberry.type
    class FencedQuery:
        @strawberry.field
        def box(self) -> Box:
            return Box(checked=Checked(label="kept"))

        @strawberry.field
        def reading(self) -> Reading:
            return counted  # type: ignore[return-value]

        @strawberry.field
        def reads(self) -> int:
            return counted.reads

    return strawberry.Schema(query=FencedQuery, execution_context_class=execution_context_class)


async def test_a_type_with_its_own_is_type_of_is_given_its_info() -> None:
    plain = _fenced_schema(StrawberryGraphQLCoreExecutionContext)
    portal = _fenced_schema(PortalExecutionContext)
    query = "{ box { checked { label } } }"
    got = await portal.execute(query)
    assert _shape(got) == _shape(await plain.execute(query))
    assert got.data == {"box": {"checked": {"label": "kept"}}}


async def test_an_attribute_is_read_once_when_graphql_core_completes_it() -> None:
    for context_class in (StrawberryGraphQLCoreExecutionContext, PortalExecutionContext):
        schema = _fenced_schema(context_class)
        result = await schema.execute("{ reading { value } }")
        assert result.errors and "non-nullable" in result.errors[0].message
        assert (await schema.execute("{ reads }")).data == {"reads": 1}, context_class.__name__


def test_fast_execution_can_be_turned_off() -> None:
    from core.plugins.registry import build_registry
    from schema.build import build_schema

    registry = build_registry()
    assert issubclass(build_schema(registry).execution_context_class, PortalExecutionContext)
    assert (
        build_schema(registry, fast_execution=False).execution_context_class
        is StrawberryGraphQLCoreExecutionContext
    )


class Tracing(SchemaExtension):
    """An extension that wraps every resolver (as tracing does)."""

    def resolve(self, _next, root, info, *args, **kwargs):  # type: ignore[no-untyped-def]
        return _next(root, info, *args, **kwargs)


def test_an_extension_that_wraps_resolvers_is_refused_while_the_fast_path_is_on() -> None:
    from core.plugins.registry import build_registry
    from schema.build import FastPathRefused, build_schema

    registry = build_registry()
    with pytest.raises(FastPathRefused, match="PORTAL_FAST_EXECUTION=false"):
        build_schema(registry, extra_extensions=(Tracing,))
    build_schema(registry, fast_execution=False, extra_extensions=(Tracing,))


async def test_a_selection_completed_again_with_other_variables_gives_graphql_core_results() -> (
    None
):
    # given: one document (the parser cache gives its nodes again), with and without
    # directives below the fields the generated completions are kept for
    plain, portal = (
        strawberry.Schema(
            query=Query,
            types=[Child],
            execution_context_class=context,
            extensions=[lambda: ParserCache(maxsize=8)],
        )
        for context in (StrawberryGraphQLCoreExecutionContext, PortalExecutionContext)
    )
    queries = [
        "query ($yes: Boolean!) { parents { children { age ... @include(if: $yes) { name } } } }",
        "query ($yes: Boolean!) { parents { favourite { ...F @skip(if: $yes) age } } } "
        "fragment F on Child { name tags }",
        "{ parents { children { age tags } favourite { name } } }",
    ]
    for query in queries:
        for yes in (True, False, True):
            # when
            got = await portal.execute(query, variable_values={"yes": yes})
            # then
            expected = await plain.execute(query, variable_values={"yes": yes})
            assert _shape(got) == _shape(expected), (query, yes)


# ------------------------------------------------------------------ generated queries


@settings(max_examples=150, deadline=None, suppress_health_check=list(HealthCheck))
@given(query=hypothesis_graphql.queries(str(_schemas()[0])))
def test_generated_queries_give_graphql_core_results(query: str) -> None:
    plain, portal = _schemas()
    for yes in (True, False):
        variables = {"yes": yes}
        expected = asyncio.run(plain.execute(query, variable_values=variables))
        got = asyncio.run(portal.execute(query, variable_values=variables))
        assert _shape(got) == _shape(expected), query


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

"""A faster completion of plain fields, inside graphql-core's own executor.

Most of a list response is *plain* fields: strawberry fields without a resolver that read an
attribute of an object we built (``Referral.reference``, ``ReferralChild.age`` ...). graphql-core
spends several microseconds on each (a resolve-info object, the resolver wrapper, the
completion dispatch), which for a page of 50 referrals is most of the request.

:class:`PortalExecutionContext` completes those fields directly: read the attribute, coerce a
leaf with the type's own ``coerce_output_value``, walk lists, and for an object value go on with
the executor's own ``execute_collected_subfields`` (so fields with resolvers, abstract types,
@defer and errors still take graphql-core's path). Anything it does not recognise *before*
doing any work (a null for a non-null type, a value of another type, an awaitable, a leaf that
does not coerce) is handed back to graphql-core's ``execute_field`` unchanged, so results and
errors are the same as without it (tests/schema/test_execution.py checks both side by side).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, NamedTuple

from graphql import (
    GraphQLField,
    GraphQLList,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLOutputType,
    is_leaf_type,
)
from graphql.pyutils import Path, Undefined, gather_with_cancel
from strawberry.schema.schema import StrawberryGraphQLCoreExecutionContext

DEFINITION = "strawberry-definition"
_FALLBACK: Any = object()


class Leaf(NamedTuple):
    coerce: Callable[[Any], Any]
    nullable: bool
    output_type: GraphQLOutputType  # as declared (non-null or not): errors depend on it


class ListOf(NamedTuple):
    item: Any  # Leaf | ListOf | ObjectOf
    nullable: bool
    has_objects: bool
    output_type: GraphQLOutputType


class ObjectOf(NamedTuple):
    type: GraphQLObjectType
    origin: type
    is_type_of: Callable[[Any, Any], Any] | None
    nullable: bool
    output_type: GraphQLOutputType


Kind = Leaf | ListOf | ObjectOf


def _kind(declared: GraphQLOutputType) -> Kind | None:
    """How to complete a value of ``declared`` directly; None where graphql-core must."""
    nullable = not isinstance(declared, GraphQLNonNull)
    type_ = declared if nullable else declared.of_type  # type: ignore[union-attr]
    if isinstance(type_, GraphQLList):
        item = _kind(type_.of_type)
        if item is None:
            return None
        has_objects = type(item) is ObjectOf or (type(item) is ListOf and item.has_objects)
        return ListOf(item, nullable, has_objects, declared)
    if is_leaf_type(type_):
        return Leaf(type_.coerce_output_value, nullable, declared)  # type: ignore[union-attr]
    if isinstance(type_, GraphQLObjectType):
        definition = type_.extensions.get(DEFINITION)
        origin = getattr(definition, "origin", None)
        if origin is None:
            return None
        return ObjectOf(type_, origin, type_.is_type_of, nullable, declared)
    return None  # interfaces and unions: graphql-core resolves the runtime type


class PlainField(NamedTuple):
    attribute: str
    kind: Kind


def plain_field(field_def: GraphQLField) -> PlainField | None:
    """A strawberry field without resolver, extensions or arguments, that reads an attribute."""
    if field_def.args or not getattr(field_def.resolve, "_is_default", False):
        return None
    definition = field_def.extensions.get(DEFINITION)
    name = getattr(definition, "python_name", None)
    kind = _kind(field_def.type)
    if name is None or kind is None:
        return None
    return PlainField(name, kind)


def _leaf(kind: Leaf, value: Any) -> Any:
    if value is None:
        return None if kind.nullable else _FALLBACK
    try:
        coerced = kind.coerce(value)
    except Exception:  # graphql-core will raise it again and report it as it does
        return _FALLBACK
    if coerced is None or coerced is Undefined:
        return _FALLBACK
    return coerced


def _leaves(kind: ListOf, value: Any) -> Any:
    """A list (of lists) of leaves, or _FALLBACK."""
    if value is None:
        return None if kind.nullable else _FALLBACK
    if type(value) is not list and type(value) is not tuple:
        return _FALLBACK
    item = kind.item
    out = []
    for element in value:
        completed = _leaf(item, element) if type(item) is Leaf else _leaves(item, element)
        if completed is _FALLBACK:
            return _FALLBACK
        out.append(completed)
    return out


def _accepts(kind: Kind, value: Any) -> bool:
    """Whether a value of objects can be completed here, checked before any work is done."""
    if value is None:
        return kind.nullable
    if type(kind) is ObjectOf:
        if type(value) is not kind.origin:
            return False
        return kind.is_type_of is None or kind.is_type_of(value, None) is True
    if type(kind) is ListOf:
        if type(value) is not list and type(value) is not tuple:
            return False
        return all(_accepts(kind.item, element) for element in value)
    return True  # leaves are completed (or handed back) one by one, field by field


class PortalExecutionContext(StrawberryGraphQLCoreExecutionContext):
    """graphql-core's executor, completing plain fields without its per-field machinery."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._plans: dict[int, tuple[Any, list[tuple[str, Any, PlainField | None]]]] = {}

    def _plan(
        self, parent_type: GraphQLObjectType, grouped_field_set: Any
    ) -> list[tuple[str, Any, PlainField | None]]:
        cached = self._plans.get(id(grouped_field_set))
        if cached is not None and cached[0] is grouped_field_set:
            return cached[1]
        # Per schema, by field identity (GraphQLField compares by value and cannot be a key).
        plans: dict[int, PlainField | None] = self.schema.__dict__.setdefault(
            "_portal_plain_fields", {}
        )
        steps = []
        for response_name, field_details_list in grouped_field_set.items():
            plain = None
            node = field_details_list[0].node
            field_def = self.schema.get_field(parent_type, node.name.value)
            if field_def is not None and not any(
                d.node.directives or d.node.arguments for d in field_details_list
            ):
                key = id(field_def)
                if key not in plans:
                    plans[key] = plain_field(field_def)
                plain = plans[key]
            steps.append((response_name, field_details_list, plain))
        # The set is kept alive with its plan, so its id is not reused during this execution.
        self._plans[id(grouped_field_set)] = (grouped_field_set, steps)
        return steps

    def execute_fields(  # type: ignore[override]
        self,
        parent_type: GraphQLObjectType,
        source_value: Any,
        path: Path | None,
        grouped_field_set: Any,
        position_context: Any,
    ) -> Any:
        middleware = self.middleware_manager
        if middleware is not None and middleware.middlewares:  # extensions that wrap resolvers
            return super().execute_fields(
                parent_type, source_value, path, grouped_field_set, position_context
            )
        results: dict[str, Any] = {}
        is_awaitable = self.is_awaitable
        awaitable_fields: list[str] = []
        try:
            for response_name, field_details_list, plain in self._plan(
                parent_type, grouped_field_set
            ):
                if plain is not None:
                    completed = self._complete_plain(
                        plain,
                        source_value,
                        parent_type,
                        path,
                        response_name,
                        field_details_list,
                        position_context,
                    )
                    if completed is not _FALLBACK:
                        results[response_name] = completed
                        if is_awaitable(completed):
                            awaitable_fields.append(response_name)
                        continue
                result = self.execute_field(
                    parent_type,
                    source_value,
                    field_details_list,
                    Path(path, response_name, parent_type.name),
                    position_context,
                )
                if result is not Undefined:
                    results[response_name] = result
                    if is_awaitable(result):
                        awaitable_fields.append(response_name)
        except Exception:
            if awaitable_fields:
                self.settle_in_background([results[field] for field in awaitable_fields])
            raise
        if not awaitable_fields:
            return results

        async def get_results() -> dict[str, Any]:
            if len(awaitable_fields) == 1:
                field = awaitable_fields[0]
                results[field] = await results[field]
            else:
                awaited = await gather_with_cancel(*(results[f] for f in awaitable_fields))
                results.update(zip(awaitable_fields, awaited, strict=True))
            return results

        return get_results()

    def _complete_plain(
        self,
        plain: PlainField,
        source: Any,
        parent_type: GraphQLObjectType,
        path: Path | None,
        response_name: str,
        field_details_list: Any,
        position_context: Any,
    ) -> Any:
        """The completed value of a plain field, or _FALLBACK before any work was done."""
        try:
            value = getattr(source, plain.attribute)
        except Exception:
            return _FALLBACK
        kind = plain.kind
        if type(kind) is Leaf:
            return _leaf(kind, value)
        if type(kind) is ListOf and not kind.has_objects:
            return _leaves(kind, value)
        if not _accepts(kind, value):
            return _FALLBACK
        field_path = Path(path, response_name, parent_type.name)
        field_type = kind.output_type
        try:
            completed = self._complete_objects(
                kind, value, field_path, field_details_list, position_context
            )
        except Exception as raw_error:
            self.handle_field_error(raw_error, field_type, field_details_list, field_path)
            return None
        if not self.is_awaitable(completed):
            return completed

        async def await_completed() -> Any:
            try:
                return await completed
            except Exception as raw_error:
                self.handle_field_error(raw_error, field_type, field_details_list, field_path)
                return None

        return await_completed()

    def _complete_objects(
        self, kind: Kind, value: Any, path: Path, field_details_list: Any, position_context: Any
    ) -> Any:
        """Complete an accepted value holding objects (see :func:`_accepts`)."""
        if value is None:
            return None
        if type(kind) is ObjectOf:
            grouped_field_set, new_defer_usages, _ = self.collect_subfields(
                kind.type, field_details_list
            )
            return self.execute_collected_subfields(
                kind.type, value, path, grouped_field_set, new_defer_usages, position_context
            )
        assert type(kind) is ListOf  # leaves never sit inside a list of objects
        return self._complete_list(kind, value, path, field_details_list, position_context)

    def _complete_list(
        self, kind: ListOf, items: Any, path: Path, field_details_list: Any, position_context: Any
    ) -> Any:
        item_kind = kind.item
        item_type = item_kind.output_type
        is_awaitable = self.is_awaitable
        completed_results: list[Any] = []
        awaitable_indices: list[int] = []
        for index, item in enumerate(items):
            item_path = path.add_key(index, None)
            try:
                completed = self._complete_objects(
                    item_kind, item, item_path, field_details_list, position_context
                )
            except Exception as raw_error:
                self.handle_field_error(raw_error, item_type, field_details_list, item_path)
                completed_results.append(None)
                continue
            if is_awaitable(completed):
                completed_results.append(
                    self._await_item(completed, item_type, field_details_list, item_path)
                )
                awaitable_indices.append(index)
            else:
                completed_results.append(completed)
        if not awaitable_indices:
            return completed_results

        async def get_completed_results() -> list[Any]:
            if len(awaitable_indices) == 1:
                index = awaitable_indices[0]
                completed_results[index] = await completed_results[index]
            else:
                awaited = await gather_with_cancel(
                    *(completed_results[index] for index in awaitable_indices)
                )
                for index, result in zip(awaitable_indices, awaited, strict=True):
                    completed_results[index] = result
            return completed_results

        return get_completed_results()

    async def _await_item(
        self, completed: Any, item_type: Any, field_details_list: Any, item_path: Path
    ) -> Any:
        try:
            return await completed
        except Exception as raw_error:
            self.handle_field_error(raw_error, item_type, field_details_list, item_path)
            return None

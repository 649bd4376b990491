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
does not coerce) is handed to graphql-core's own completion with the value already read (an
attribute is never read twice), so results and errors are the same as without it
(tests/foundation/test_execution.py checks both side by side, and runs generated queries).

A subtree of plain fields is completed by one generated function per shape of selection
(:func:`generated_completion`, compiled once per schema): a list of 50 referrals costs 50 calls
of it rather than a closure call per object and per leaf.

Fenced: a type with its own ``is_type_of`` is left to graphql-core (it may read its info); an
extension that wraps resolvers is refused at start (schema/build.py); PORTAL_FAST_EXECUTION=false
turns the fast path off.
"""

# Stays whole (~690 lines): one concept, the fast completion of plain fields; its field kinds,
# leaf functions and execution context are only correct together (what the differential
# tests compare with graphql-core's executor).

from __future__ import annotations

import keyword
import logging
from collections.abc import Callable
from typing import Any, NamedTuple

from graphql import (
    FragmentSpreadNode,
    GraphQLBoolean,
    GraphQLEnumType,
    GraphQLField,
    GraphQLID,
    GraphQLInt,
    GraphQLLeafType,
    GraphQLList,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLOutputType,
    GraphQLString,
    is_leaf_type,
)
from graphql.execution.executor import to_nodes
from graphql.pyutils import Path, Undefined, gather_with_cancel
from strawberry.schema.schema import StrawberryGraphQLCoreExecutionContext
from strawberry.types.cast import TYPE_CAST_ATTRIBUTE

from schema.rows import Lane, RowList, Source

#: The graphql-core release this executor was written against (pinned in pyproject.toml). It
#: overrides internals (execute_fields, collect_subfields, execute_collected_subfields ...)
#: that change between releases, so on any other version build_schema does not use it.
GRAPHQL_CORE_VERSION = "3.3.2"
DEFINITION = "strawberry-definition"
logger = logging.getLogger("portal.graphql")


def execution_context_class(
    fast_execution: bool = True,
) -> type[StrawberryGraphQLCoreExecutionContext]:
    """PortalExecutionContext when ``fast_execution`` (PORTAL_FAST_EXECUTION) and on the
    graphql-core it was written for; otherwise strawberry's own executor (slower on big lists,
    never wrong), with a warning at start-up on another graphql-core."""
    import graphql

    if not fast_execution:
        return StrawberryGraphQLCoreExecutionContext
    if graphql.__version__ == GRAPHQL_CORE_VERSION:
        return PortalExecutionContext
    logger.warning(
        "graphql-core %s is installed; schema/execution.py was written against %s: using the "
        "standard executor. Install graphql-core==%s, or check PortalExecutionContext against "
        "the new release and change GRAPHQL_CORE_VERSION.",
        graphql.__version__,
        GRAPHQL_CORE_VERSION,
        GRAPHQL_CORE_VERSION,
    )
    return StrawberryGraphQLCoreExecutionContext


class Leaf(NamedTuple):
    complete: Callable[[Any], Any]  # see leaf_function
    nullable: bool
    output_type: GraphQLOutputType  # as declared (non-null or not): errors depend on it


class ListOf(NamedTuple):
    item: Any  # Leaf | ListOf | ObjectOf
    nullable: bool
    has_objects: bool
    output_type: GraphQLOutputType


class ObjectOf(NamedTuple):
    object_type: GraphQLObjectType
    origin: type
    is_type_of: Callable[[Any, Any], Any] | None
    nullable: bool
    output_type: GraphQLOutputType


Kind = Leaf | ListOf | ObjectOf


def _kind(declared: GraphQLOutputType) -> Kind | None:
    """How to complete a value of ``declared`` directly; None where graphql-core must."""
    nullable = not isinstance(declared, GraphQLNonNull)
    type_ = declared if nullable else declared.of_type  # type: ignore[union-attr]  # NonNull here
    if isinstance(type_, GraphQLList):
        item = _kind(type_.of_type)
        if item is None:
            return None
        has_objects = type(item) is ObjectOf or (type(item) is ListOf and item.has_objects)
        return ListOf(item, nullable, has_objects, declared)
    if is_leaf_type(type_):
        return Leaf(leaf_function(type_, nullable), nullable, declared)
    if isinstance(type_, GraphQLObjectType):
        definition = type_.extensions.get(DEFINITION)
        origin = getattr(definition, "origin", None)
        if origin is None or getattr(definition, "is_type_of", None) is not None:
            # A type's own is_type_of may read its info, which only graphql-core's path makes
            # (strawberry's generated one, for types with interfaces, never reads it).
            return None
        return ObjectOf(type_, origin, type_.is_type_of, nullable, declared)
    return None  # interfaces and unions: graphql-core resolves the runtime type


class Pure(NamedTuple):
    """A generated completion (:func:`generated_completion`) and the shape it completes."""

    function: Callable[[Any], Any]
    shape: Any
    kinds: dict[int, Kind]


#: What _complete_lane answers when the objects must be made and completed instead.
_NOT_LANED: Any = object()


class PlainField(NamedTuple):
    attribute: str
    kind: Kind


def plain_field(field_def: GraphQLField) -> PlainField | None:
    """A strawberry field without resolver, extensions or arguments, that reads an attribute.

    Strawberry resolves a field with extensions (permission classes among them) through the
    same default resolver, so ``is_basic_field`` is checked too: such a field is never plain.
    """
    if field_def.args or not getattr(field_def.resolve, "_is_default", False):
        return None
    definition = field_def.extensions.get(DEFINITION)
    if not getattr(definition, "is_basic_field", False):
        return None
    name = getattr(definition, "python_name", None)
    kind = _kind(field_def.type)
    if name is None or kind is None:
        return None
    return PlainField(name, kind)


class _Impure(Exception):
    """A value the pure completion does not take: graphql-core's path completes the field."""


def leaf_function(named: GraphQLLeafType, nullable: bool) -> Callable[[Any], Any]:
    """A function completing a value of ``named`` exactly as its ``coerce_output_value``
    would, with a shortcut for the common case, raising _Impure where graphql-core must."""
    coerce = named.coerce_output_value

    def generic(value: Any) -> Any:
        if value is None:
            if nullable:
                return None
            raise _Impure
        try:
            coerced = coerce(value)
        except Exception:
            raise _Impure from None
        if coerced is None or coerced is Undefined:
            raise _Impure
        return coerced

    function: Callable[[Any], Any] = generic
    if named is GraphQLString or named is GraphQLID:

        def function(value: Any) -> Any:
            return value if type(value) is str else generic(value)

    elif named is GraphQLInt:

        def function(value: Any) -> Any:
            if type(value) is int and -2147483648 <= value <= 2147483647:
                return value
            return generic(value)

    elif named is GraphQLBoolean:

        def function(value: Any) -> Any:
            return value if type(value) is bool else generic(value)

    elif isinstance(named, GraphQLEnumType):
        wrapped = getattr(named, "wrapped_cls", None)
        names: dict[Any, Any] = {}

        def function(value: Any) -> Any:
            if type(value) is wrapped:
                name = names.get(value)
                if name is None:
                    name = names[value] = generic(value)
                return name
            return generic(value)

    return function


def _accepts(kind: Kind, value: Any) -> bool:
    """Whether a value of objects can be completed here, checked before any work is done."""
    if value is None:
        return kind.nullable
    if type(kind) is ObjectOf:
        if type(value) is not kind.origin:
            return False
        return kind.is_type_of is None or kind.is_type_of(value, None) is True
    # A list holding objects: leaves and lists of leaves never come here (their pure
    # functions complete them or hand them back).
    if type(value) is not list and type(value) is not tuple:
        return False
    assert type(kind) is ListOf
    return all(_accepts(kind.item, element) for element in value)


class PortalExecutionContext(StrawberryGraphQLCoreExecutionContext):
    """graphql-core's executor, completing plain fields without its per-field machinery."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._plans: dict[int, tuple[Any, list[tuple[str, Any, PlainField | None]]]] = {}
        self._pure: dict[tuple[int, int], tuple[Any, Pure | None]] = {}

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

    def execute_fields(
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
        """The completed value of a plain field. The attribute is read once: where this path
        does not take the value, graphql-core completes the value already read (a property
        read twice could answer differently)."""
        field_path = Path(path, response_name, parent_type.name)
        try:
            value = getattr(source, plain.attribute)
        except Exception as raw_error:  # as graphql-core reports a failing resolver
            self.handle_field_error(
                raw_error, plain.kind.output_type, field_details_list, field_path
            )
            return None
        kind = plain.kind
        if type(value) is RowList:
            completed = self._complete_lane(value, kind, field_details_list)
            if completed is not _NOT_LANED:
                return completed
            value = value.objects()  # then as a list of the objects
        pure = self._pure_function(kind, field_details_list)
        if pure is not None:
            try:
                return pure(value)
            except _Impure:  # nothing was done that cannot be done again
                if type(kind) is Leaf or (type(kind) is ListOf and not kind.has_objects):
                    return self._complete_read(
                        parent_type, value, field_details_list, field_path, position_context
                    )
        if not _accepts(kind, value):
            return self._complete_read(
                parent_type, value, field_details_list, field_path, position_context
            )
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

    def _complete_read(
        self,
        parent_type: GraphQLObjectType,
        value: Any,
        field_details_list: Any,
        path: Path,
        position_context: Any,
    ) -> Any:
        """graphql-core's ``execute_field`` for a plain field whose value was already read:
        the same completion, errors and awaitables, without calling the resolver again."""
        field_def = self.schema.get_field(parent_type, field_details_list[0].node.name.value)
        assert field_def is not None  # planned from this very field
        return_type = field_def.type
        info = self.build_resolve_info(field_def, to_nodes(field_details_list), parent_type, path)
        try:
            if self.is_awaitable(value):
                return self.complete_awaitable_value(
                    return_type, field_details_list, info, path, value, position_context
                )
            completed = self.complete_value(
                return_type, field_details_list, info, path, value, position_context
            )
        except Exception as raw_error:
            self.handle_field_error(raw_error, return_type, field_details_list, path)
            return None
        if not self.is_awaitable(completed):
            return completed

        async def await_completed() -> Any:
            try:
                return await completed
            except Exception as raw_error:
                self.handle_field_error(raw_error, return_type, field_details_list, path)
                return None

        return await_completed()

    def _complete_lane(self, rows: RowList[Any], kind: Kind, field_details_list: Any) -> Any:
        """The completion of a :class:`~schema.rows.RowList` read from its rows by its lane
        (:func:`lane_completion`), as the pure completion of its objects would give it;
        _NOT_LANED where the lane does not take this selection or these rows."""
        lane = rows.lane
        if lane is None or type(kind) is not ListOf:
            return _NOT_LANED
        pure = self._pure_entry(kind, field_details_list)
        if pure is None:
            return _NOT_LANED
        function = lane_completion(self.schema, lane, pure.shape, pure.kinds)
        if function is None:
            return _NOT_LANED
        try:
            return function(rows.rows)
        except _Impure:  # only reads were done: the objects are made and completed instead
            return _NOT_LANED

    def _pure_function(self, kind: Kind, field_details_list: Any) -> Callable[[Any], Any] | None:
        """A function completing a value of ``kind`` with this selection wholly, when every
        field below is plain: no resolver runs, so on anything unusual (_Impure) the field
        can be completed again by the path that handles it. None when something is not plain.

        The function is generated (:func:`generated_completion`) once per shape of selection
        and schema, and reused by every later operation that selects the same shape.
        """
        if type(kind) is Leaf:
            return kind.complete
        pure = self._pure_entry(kind, field_details_list)
        return None if pure is None else pure.function

    def _pure_entry(self, kind: Kind, field_details_list: Any) -> Pure | None:
        """The generated completion of an object or list ``kind`` with this selection, with
        the shape it was generated from; None when something below is not plain."""
        key = (id(kind), id(field_details_list))
        cached = self._pure.get(key)
        if cached is not None and cached[0] is field_details_list:
            return cached[1]
        # By the selection's nodes, across operations (the parser cache gives a document the
        # same nodes each time), when nothing below can change with the variables.
        nodes = tuple(details.node for details in field_details_list)
        by_nodes = (id(kind), *map(id, nodes))
        operations: dict[Any, Any] = self.schema.__dict__.setdefault("_portal_selections", {})
        known = operations.get(by_nodes)
        if known is not None and all(a is b for a, b in zip(known[0], nodes, strict=True)):
            pure = known[1]
        else:
            kinds: dict[int, Kind] = {}
            shape = self._shape(kind, field_details_list, kinds)
            pure = (
                None
                if shape is None
                else Pure(generated_completion(self.schema, shape, kinds), shape, kinds)
            )
            if self._static(field_details_list):
                if len(operations) >= GENERATED_LIMIT:
                    operations.clear()
                operations[by_nodes] = (nodes, pure)  # the nodes kept: their ids stay theirs
        self._pure[key] = (field_details_list, pure)
        return pure

    def _static(self, field_details_list: Any) -> bool:
        """Whether collecting this selection gives the same fields whatever the variables: no
        directive anywhere below (nor @defer), no fragment arguments."""
        if any(details.defer_usage is not None for details in field_details_list):
            return False
        pending = [details.node for details in field_details_list]
        seen: set[str] = set()
        while pending:
            node = pending.pop()
            if node.directives:
                return False
            if isinstance(node, FragmentSpreadNode):
                if node.arguments:  # fragment arguments: fields may depend on them
                    return False
                name = node.name.value
                fragment = self.fragment_definitions.get(name)
                if fragment is None:
                    return False
                if name not in seen:
                    seen.add(name)
                    pending.append(fragment)
                continue
            selection_set = node.selection_set
            if selection_set is not None:
                pending.extend(selection_set.selections)
        return True

    def _shape(self, kind: Kind, field_details_list: Any, kinds: dict[int, Kind]) -> Any:
        """What a pure completion of ``kind`` with this selection does, as a hashable tuple
        (kinds by id, in ``kinds``): None when something below is not plain."""
        kinds[id(kind)] = kind
        if type(kind) is Leaf:
            return ("leaf", id(kind))
        if type(kind) is ListOf:
            item = self._shape(kind.item, field_details_list, kinds)
            return None if item is None else ("list", id(kind), item)
        assert type(kind) is ObjectOf
        grouped_field_set, new_defer_usages, _ = self.collect_subfields(
            kind.object_type, field_details_list
        )
        if new_defer_usages:
            return None
        steps: list[tuple[str, str | None, Any]] = []
        for response_name, sub_fields, plain in self._plan(kind.object_type, grouped_field_set):
            if sub_fields[0].node.name.value == "__typename" and not any(
                d.node.directives for d in sub_fields
            ):
                steps.append((response_name, None, kind.object_type.name))
                continue
            if plain is None:
                return None
            shape = self._shape(plain.kind, sub_fields, kinds)
            if shape is None:
                return None
            steps.append((response_name, plain.attribute, shape))
        return ("object", id(kind), tuple(steps))

    def _complete_objects(
        self, kind: Kind, value: Any, path: Path, field_details_list: Any, position_context: Any
    ) -> Any:
        """Complete an accepted value holding objects (see :func:`_accepts`)."""
        if value is None:
            return None
        if type(kind) is ObjectOf:
            grouped_field_set, new_defer_usages, _ = self.collect_subfields(
                kind.object_type, field_details_list
            )
            return self.execute_collected_subfields(
                kind.object_type, value, path, grouped_field_set, new_defer_usages, position_context
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


#: strawberry's own ``is_type_of`` (for types with interfaces): for a value whose type is the
#: type's origin it answers True unless the value was ``strawberry.cast`` to something.
_STRAWBERRY_IS_TYPE_OF = (
    "strawberry.schema.schema_converter",
    "._get_is_type_of.<locals>.is_type_of",
)
#: Generated functions kept per schema; past this many shapes, the cache starts again.
GENERATED_LIMIT = 1000


def generated_completion(schema: Any, shape: Any, kinds: dict[int, Kind]) -> Callable[[Any], Any]:
    """The pure completion of ``shape`` (see ``PortalExecutionContext._shape``) as one Python
    function, compiled once per schema: objects below are completed inline (their checks, then
    a dict display), lists by a comprehension over their item's function, leaves with their
    fast path inline and the leaf function otherwise. It does exactly what the generic
    completion did (the same checks in the same order, _Impure where graphql-core must)."""
    cache: dict[Any, Callable[[Any], Any]] = schema.__dict__.setdefault("_portal_generated", {})
    function = cache.get(shape)
    if function is None:
        if len(cache) >= GENERATED_LIMIT:
            cache.clear()
        function = cache[shape] = _Writer(schema, kinds).function(shape)
    return function


class _Writer:
    """Writes the source of one generated completion function."""

    def __init__(self, schema: Any, kinds: dict[int, Kind]) -> None:
        self.schema = schema
        self.kinds = kinds
        self.lines: list[str] = []
        self.namespace: dict[str, Any] = {"_Impure": _Impure, "getattr": getattr}
        self.count = 0

    def name(self, prefix: str, value: Any = Undefined) -> str:
        self.count += 1
        name = f"{prefix}_{self.count}"
        if value is not Undefined:
            self.namespace[name] = value
        return name

    def line(self, indent: int, text: str) -> None:
        self.lines.append("    " * indent + text)

    def function(self, shape: Any) -> Callable[[Any], Any]:
        self.line(0, "def complete(value):")
        self.line(1, "try:")
        self.value(shape, "value", 2)
        self.line(1, "except _Impure:")
        self.line(2, "raise")
        self.line(1, "except Exception:  # e.g. a missing attribute: graphql-core reports it")
        self.line(2, "raise _Impure from None")
        self.line(1, "return value")
        kind = self.kinds[shape[1]]
        source = "\n".join(self.lines) + "\n"
        filename = f"<portal completion of {kind.output_type}>"
        exec(compile(source, filename, "exec"), self.namespace)  # our own source, from the schema
        function: Callable[[Any], Any] = self.namespace["complete"]
        function.__doc__ = source
        return function

    def value(self, shape: Any, variable: str, indent: int) -> None:
        """Lines replacing ``variable``'s value by its completion (or raising _Impure)."""
        kind = self.kinds[shape[1]]
        if type(kind) is Leaf:
            self.leaf(kind, variable, indent)
        elif type(kind) is ListOf:
            self.list(kind, shape, variable, indent)
        else:
            self.object(kind, shape, variable, indent)  # type: ignore[arg-type]  # ObjectOf

    def leaf(self, kind: Leaf, x: str, indent: int) -> None:
        named = kind.output_type
        if isinstance(named, GraphQLNonNull):
            named = named.of_type
        complete = self.name("leaf", kind.complete)
        if named is GraphQLString or named is GraphQLID:
            self.line(indent, f"if type({x}) is not str: {x} = {complete}({x})")
        elif named is GraphQLInt:
            self.line(
                indent,
                f"if type({x}) is not int or not -2147483648 <= {x} <= 2147483647: "
                f"{x} = {complete}({x})",
            )
        elif named is GraphQLBoolean:
            self.line(indent, f"if type({x}) is not bool: {x} = {complete}({x})")
        elif isinstance(named, GraphQLEnumType) and getattr(named, "wrapped_cls", None):
            wrapped = self.name("enum", named.wrapped_cls)  # type: ignore[attr-defined]
            names = self.name("names", {})
            self.line(indent, f"if type({x}) is {wrapped}:")
            self.line(indent + 1, f"name = {names}.get({x})")
            self.line(indent + 1, f"if name is None: name = {names}[{x}] = {complete}({x})")
            self.line(indent + 1, f"{x} = name")
            self.line(indent, "else:")
            self.line(indent + 1, f"{x} = {complete}({x})")
        else:
            self.line(indent, f"{x} = {complete}({x})")

    def list(self, kind: ListOf, shape: Any, x: str, indent: int) -> None:
        item_shape = shape[2]
        item_kind = self.kinds[item_shape[1]]
        if type(item_kind) is Leaf:
            item = self.name("leaf", item_kind.complete)
        else:
            item = self.name("item", generated_completion(self.schema, item_shape, self.kinds))
        self.line(indent, f"if type({x}) is list or type({x}) is tuple:")
        self.line(indent + 1, f"{x} = [{item}(element) for element in {x}]")
        if kind.nullable:
            self.line(indent, f"elif {x} is not None:")
        else:
            self.line(indent, "else:")
        self.line(indent + 1, "raise _Impure")

    def object(self, kind: ObjectOf, shape: Any, x: str, indent: int) -> None:
        if kind.nullable:
            self.line(indent, f"if {x} is not None:")
            indent += 1
        else:
            self.line(indent, f"if {x} is None: raise _Impure")
        origin = self.name("origin", kind.origin)
        self.line(indent, f"if type({x}) is not {origin}: raise _Impure")
        is_type_of = kind.is_type_of
        if is_type_of is not None:
            check = self.name("is_type_of", is_type_of)
            module, suffix = _STRAWBERRY_IS_TYPE_OF
            if getattr(is_type_of, "__module__", None) == module and getattr(
                is_type_of, "__qualname__", ""
            ).endswith(suffix):
                cast = self.name("cast", TYPE_CAST_ATTRIBUTE)
                self.line(
                    indent,
                    f"if getattr({x}, {cast}, None) is not None "
                    f"and {check}({x}, None) is not True: raise _Impure",
                )
            else:
                self.line(indent, f"if {check}({x}, None) is not True: raise _Impure")
        entries = []
        for response_name, attribute, sub_shape in shape[2]:
            if attribute is None:  # __typename
                entries.append(f"{response_name!r}: {sub_shape!r}")
                continue
            variable = self.name("v")
            if attribute.isidentifier() and not keyword.iskeyword(attribute):
                self.line(indent, f"{variable} = {x}.{attribute}")
            else:
                self.line(indent, f"{variable} = getattr({x}, {self.name('a', attribute)})")
            self.value(sub_shape, variable, indent)
            entries.append(f"{response_name!r}: {variable}")
        self.line(indent, f"{x} = {{{', '.join(entries)}}}")


class _NotLaned(Exception):
    """A selection the lane cannot read from its rows (a field it has no expression for)."""


def lane_completion(
    schema: Any, lane: Lane, shape: Any, kinds: dict[int, Kind]
) -> Callable[[Any], Any] | None:
    """The completion of ``shape`` (a list of objects) read from rows by ``lane``
    (schema/rows.py), generated once per schema, lane and shape; None when the lane cannot
    read some field of it. It does what the pure completion of the objects made from the
    rows does (the same leaf checks, the same dicts, _Impure where that raises it), reading
    each field by the lane's expression instead of from an object: an object's own checks
    (its type, ``is_type_of``) hold for every object the lane's rows make."""
    cache: dict[Any, Any] = schema.__dict__.setdefault("_portal_lanes", {})
    key = (id(lane), shape)
    cached = cache.get(key)
    if cached is not None and cached[0] is lane:
        return cached[1]  # (lane, function) pairs
    if len(cache) >= GENERATED_LIMIT:
        cache.clear()
    try:
        function: Callable[[Any], Any] | None = _LaneWriter(schema, kinds, lane).function_of(
            shape, lane.source
        )
    except _NotLaned:
        function = None
    cache[key] = (lane, function)  # the lane kept: its id stays its own
    return function


class _LaneWriter(_Writer):
    """Writes a lane's completion: :class:`_Writer`'s, with fields read by expressions."""

    def __init__(self, schema: Any, kinds: dict[int, Kind], lane: Lane) -> None:
        super().__init__(schema, kinds)
        self.lane = lane
        self.namespace.update(lane.namespace)

    def function_of(self, shape: Any, source: Source) -> Callable[[Any], Any]:
        """A function completing a value of ``shape`` (its rows) read by ``source``."""
        self.line(0, "def complete(value):")
        self.line(1, "try:")
        self.lane_value(shape, source, "value", 2)
        self.line(1, "except _Impure:")
        self.line(2, "raise")
        self.line(1, "except Exception:  # as in the objects' completion")
        self.line(2, "raise _Impure from None")
        self.line(1, "return value")
        source_text = "\n".join(self.lines) + "\n"
        kind = self.kinds[shape[1]]
        filename = f"<portal lane {self.lane.name} of {kind.output_type}>"
        exec(compile(source_text, filename, "exec"), self.namespace)  # our own source
        function: Callable[[Any], Any] = self.namespace["complete"]
        function.__doc__ = source_text
        return function

    def lane_value(self, shape: Any, source: Source, x: str, indent: int) -> None:
        kind = self.kinds[shape[1]]
        if type(kind) is Leaf or (type(kind) is ListOf and not kind.has_objects):
            self.value(shape, x, indent)  # the value read is the attribute's own
        elif type(kind) is ListOf:
            item_shape = shape[2]
            item = _LaneWriter(self.schema, self.kinds, self.lane).function_of(item_shape, source)
            name = self.name("item", item)
            self.line(indent, f"if type({x}) is list or type({x}) is tuple:")
            self.line(indent + 1, f"{x} = [{name}(element) for element in {x}]")
            self.line(indent, f"elif {x} is not None:" if kind.nullable else "else:")
            self.line(indent + 1, "raise _Impure")
        else:
            self.lane_object(kind, shape, source, x, indent)  # type: ignore[arg-type]  # ObjectOf

    def lane_object(self, kind: ObjectOf, shape: Any, source: Source, x: str, indent: int) -> None:
        if source.origin is not kind.origin:
            raise _NotLaned(kind.output_type)
        if kind.nullable:
            self.line(indent, f"if {x} is not None:")
            indent += 1
        else:
            self.line(indent, f"if {x} is None: raise _Impure")
        names = {"{x}": x}
        for name, expression in source.let.items():
            variable = self.name(name)
            self.line(indent, f"{variable} = {_bound(expression, names)}")
            names[f"{{{name}}}"] = variable
        if source.guard is not None:
            self.line(indent, f"if not ({_bound(source.guard, names)}): raise _Impure")
        entries = []
        for response_name, attribute, sub_shape in shape[2]:
            if attribute is None:  # __typename
                entries.append(f"{response_name!r}: {sub_shape!r}")
                continue
            read = source.fields.get(attribute)
            if read is None:
                raise _NotLaned(attribute)
            variable = self.name("v")
            self.line(indent, f"{variable} = {_bound(read, names)}")
            sub_kind = self.kinds[sub_shape[1]]
            if type(sub_kind) is Leaf or (type(sub_kind) is ListOf and not sub_kind.has_objects):
                self.value(sub_shape, variable, indent)
            else:
                nested = source.nested.get(attribute)
                if nested is None:
                    raise _NotLaned(attribute)
                self.lane_value(sub_shape, nested, variable, indent)
            entries.append(f"{response_name!r}: {variable}")
        self.line(indent, f"{x} = {{{', '.join(entries)}}}")


def _bound(expression: str, names: dict[str, str]) -> str:
    """A lane's expression with its ``{x}`` and ``let`` names replaced by the variables."""
    for name, variable in names.items():
        expression = expression.replace(name, variable)
    return expression

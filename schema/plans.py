"""Operation plans: a repeated operation goes straight to execution.

strawberry runs every request through the same steps: make each schema extension, wrap each of
its hooks in a context manager, parse (or find the document in the parser cache), check the
operation type, validate (or find the verdict in the validation cache), then execute: about
150 µs of CPU per request (of ~1,000 µs for a ``{ __typename }``), none of it needed when the
same document was already accepted.

:class:`OperationPlans` remembers the documents strawberry accepted, keyed by what the verdict
depends on: the document's text, the ``operationName`` and whether introspection is refused to
the caller (:class:`~schema.extensions.IntrospectionPolicy`, the only validation rule that
depends on the viewer). A plan is recorded only where strawberry's own path reached execution
(parsed within the token limit, the one named operation, validated by every rule), so a request
that finds one would have passed the same checks. Everything that depends on the request still
runs for each: the operation type against the transport's allowed types (else strawberry's path
refuses it), variables (coerced by graphql-core's executor), the access log's reads, error
processing, masking and the request's log line, in the order the extensions run them. A plan
also keeps the subfields graphql-core collected for its selections, where no directive can
make them differ between requests (:func:`planned_executor`).

Fenced: only a schema whose extensions are exactly build_schema's own (no extra extension, no
schema directives) uses plans; anything else, and every first request of a document, takes
strawberry's path unchanged.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Any, NamedTuple

from graphql import ExecutionResult as GraphQLExecutionResult
from graphql import GraphQLError, execute
from graphql.language import (
    BREAK,
    DirectiveNode,
    DocumentNode,
    FragmentDefinitionNode,
    Visitor,
    visit,
)
from graphql.validation import NoSchemaIntrospectionCustomRule
from strawberry.execution import optimized_is_awaitable
from strawberry.types import ExecutionContext, ExecutionResult
from strawberry.types.execution import PreExecutionError
from strawberry.types.graphql import OperationType

from core.children.access_log import reading
from schema.extensions import (
    introspection_refused,
    mask_unexpected_errors,
    observe_operation,
    strip_suggestions,
)
from schema.http.observe import current_request

if TYPE_CHECKING:
    from strawberry import Schema

#: As many distinct operations as the parser and validation caches hold (schema/build.py).
MAX_PLANS = 512

PlanKey = tuple[str, str | None, bool]


class Plan(NamedTuple):
    document: DocumentNode
    #: The operation to run: the one named by ``operationName``, else the document's only one.
    operation_name: str | None
    operation_type: OperationType
    #: The subfields collected for each (type, field nodes) by earlier requests; None where
    #: the collection depends on the request (see :func:`collects_the_same`).
    fields: dict[tuple[Any, ...], Any] | None


def collects_the_same(document: DocumentNode) -> bool:
    """Whether collecting a selection's fields gives the same for every request: no directive
    anywhere (``@skip``/``@include`` may read variables, ``@defer`` changes the collection) and
    no fragment with variables of its own."""
    found: list[object] = []

    class Directives(Visitor):
        def enter_directive(self, node: DirectiveNode, *_args: object) -> object:
            found.append(node)
            return BREAK

        def enter_fragment_definition(self, node: FragmentDefinitionNode, *_args: object) -> object:
            if getattr(node, "variable_definitions", None):
                found.append(node)
                return BREAK
            return None

    visit(document, Directives())
    return not found


def planned_executor(base: type[Any]) -> type[Any]:
    """``base`` (the schema's executor) sharing its plan's field collections between requests:
    graphql-core collects a selection's subfields once per execution (the same for each object
    of a list); a planned document collects them once."""

    class PlannedExecutionContext(base):
        def __init__(self, *args: Any, plan_fields: dict[Any, Any] | None = None, **kwargs: Any):
            super().__init__(*args, **kwargs)
            self._plan_fields = plan_fields

        def collect_subfields(self, return_type: Any, field_details_list: Any) -> Any:
            shared = self._plan_fields
            if shared is None:
                return super().collect_subfields(return_type, field_details_list)
            # This execution's own memo first (graphql-core's, by the group's identity).
            memo = self._relevant_sub_fields
            local = memo.get((return_type, id(field_details_list)))
            if local is not None:
                return local[1]
            # The plan's document holds the nodes, so their ids stay theirs while it lives.
            key = (return_type, *[id(details.node) for details in field_details_list])
            collected = shared.get(key)
            if collected is None:
                collected = super().collect_subfields(return_type, field_details_list)
                shared[key] = collected
            else:
                memo[(return_type, id(field_details_list))] = (field_details_list, collected)
            return collected

    PlannedExecutionContext.__name__ = PlannedExecutionContext.__qualname__ = (
        f"Planned{base.__name__}"
    )
    return PlannedExecutionContext


class OperationPlans:
    """The plans of the operations strawberry accepted, at most :data:`MAX_PLANS` (the oldest
    is forgotten first), and the extensions' per-request work to run with them."""

    def __init__(
        self, *, observe: bool, no_suggestions: bool, executor: type[Any] | None = None
    ) -> None:
        self._plans: dict[PlanKey, Plan] = {}
        self.executor = executor
        self.observe = observe
        self.no_suggestions = no_suggestions

    def find(
        self,
        query: str | None,
        operation_name: str | None,
        context: object,
        allowed: Iterable[OperationType] | None,
    ) -> Plan | None:
        """The plan of a request that strawberry would run as it did before; None otherwise
        (strawberry's path then decides, refusing an operation type itself)."""
        if not query:
            return None
        plan = self._plans.get((query, operation_name, introspection_refused(context)))
        if plan is None or (allowed is not None and plan.operation_type not in allowed):
            return None
        return plan

    def record(self, execution_context: ExecutionContext) -> None:
        """Remember an operation strawberry is about to execute (``_execute_operation``)."""
        query = execution_context.query
        document = execution_context.graphql_document
        if not query or document is None or execution_context.pre_execution_errors:
            return
        refused = NoSchemaIntrospectionCustomRule in execution_context.validation_rules
        key = (query, execution_context._provided_operation_name, refused)
        if key in self._plans:
            return
        if len(self._plans) >= MAX_PLANS:
            del self._plans[next(iter(self._plans))]
        self._plans[key] = Plan(
            document,
            execution_context.operation_name,
            execution_context.operation_type,
            {} if self.executor is not None and collects_the_same(document) else None,
        )

    async def execute(  # Schema.execute's own arguments
        self,
        schema: Schema,
        plan: Plan,
        *,
        query: str,
        variable_values: dict[str, Any] | None,
        context_value: Any,
        root_value: Any,
        operation_name: str | None,
        allowed_operation_types: Iterable[OperationType] | None,
        operation_extensions: dict[str, Any] | None,
    ) -> ExecutionResult:
        """What ``Schema.execute`` does with an accepted document and build_schema's
        extensions, without making them: RecordReads around execution (with error processing
        inside it), then NoSuggestions, ObserveOperation and MaskUnexpectedErrors, in the
        reverse order of their ``on_operation`` hooks."""
        context = context_value
        errors_context: ExecutionContext | None = None

        def execution_context() -> ExecutionContext:
            return ExecutionContext(
                query=query,
                schema=schema,
                allowed_operations=allowed_operation_types or (),
                context=context_value,
                root_value=root_value,
                variables=variable_values,
                provided_operation_name=operation_name,
                operation_extensions=operation_extensions,
                graphql_document=plan.document,
            )

        extra: dict[str, Any] = {} if self.executor is None else {"plan_fields": plan.fields}
        try:
            with reading(
                context.access_log, context.viewer, context.channel, context.client_address
            ):
                result = execute(
                    schema._schema,
                    plan.document,
                    root_value=root_value,
                    context_value=context_value,
                    variable_values=variable_values,
                    operation_name=plan.operation_name,
                    is_awaitable=optimized_is_awaitable,  # type: ignore[arg-type]  # strawberry's
                    executor_class=self.executor or schema.execution_context_class,
                    operation_extensions=operation_extensions,
                    **extra,
                )
                if not isinstance(result, GraphQLExecutionResult):
                    result = await result
                assert isinstance(result, GraphQLExecutionResult)
                if result.errors:
                    errors_context = execution_context()
                    schema._process_errors(result.errors, errors_context)
        except Exception as exc:  # as strawberry answers it
            error = (
                exc if isinstance(exc, GraphQLError) else GraphQLError(str(exc), original_error=exc)
            )
            schema._process_errors([error], errors_context or execution_context())
            return PreExecutionError(data=None, errors=[error], extensions={})
        if self.no_suggestions:
            strip_suggestions(result)
        if self.observe:
            request = current_request()
            if request is not None:
                observe_operation(request, plan.operation_name, plan.operation_type, result)
        mask_unexpected_errors(result, plan.operation_name)
        return ExecutionResult(data=result.data, errors=result.errors, extensions={})

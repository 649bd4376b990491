"""Schema extensions: masking unexpected errors with an id the server log also has, who
may introspect the schema, telling the request's log line and metrics which operation ran and
how it went, and noting the reads of children's information for the access log."""

from __future__ import annotations

import logging
import re
import uuid
from collections.abc import Iterator

from graphql import GraphQLError, OperationDefinitionNode, StringValueNode, ValidationRule
from graphql.validation import NoSchemaIntrospectionCustomRule
from strawberry.extensions import SchemaExtension

from core.children.access_log import reading
from core.db import current_ledger, is_database_busy, is_database_unavailable
from schema.http.explorer import introspection_allowed
from schema.http.observe import RequestRecord, current_request

logger = logging.getLogger("portal.graphql")


def is_unexpected(error: GraphQLError) -> bool:
    """A resolver fault: an exception that is not a GraphQL error of its own.

    Validation, parsing and limiter errors (depth, aliases, tokens) have no original error
    and stay readable; everything raised from inside a resolver is masked.
    """
    original = error.original_error
    return original is not None and not isinstance(original, GraphQLError)


def log_errors(errors: list[GraphQLError], operation_type: object = None) -> None:
    """How the schema logs its errors (``Schema.process_errors``): each once, at the level it
    deserves. A client's own errors (syntax, validation, variables, refused operations) are
    not the server's faults and anyone can send them: DEBUG, one line. An unexpected error in
    a query or mutation is logged by :class:`MaskUnexpectedErrors`, with the id the client
    sees; in a subscription (where that extension cannot replace it) here, at ERROR."""
    from strawberry.types.graphql import OperationType

    for error in errors:
        if not is_unexpected(error):
            logger.debug("client error: %s", error.message)
        elif operation_type is OperationType.SUBSCRIPTION:
            original = error.original_error
            assert original is not None
            logger.error(
                "unexpected error in a subscription at %s",
                ".".join(str(p) for p in error.path or ()),
                exc_info=(type(original), original, original.__traceback__),
            )


class MaskUnexpectedErrors(SchemaExtension):
    """Replace unexpected errors by 'Unexpected error (id …)' and log the traceback with the id."""

    def on_operation(self) -> Iterator[None]:
        yield
        mask_unexpected_errors(self.execution_context.result, self.execution_context.operation_name)


def mask_unexpected_errors(result: object, operation_name: str | None) -> None:
    """:class:`MaskUnexpectedErrors`' work on an operation's result (also the plan cache's,
    schema/plans.py)."""
    errors = getattr(result, "errors", None)
    if not errors:
        return
    masked = []
    for error in errors:
        if not is_unexpected(error):
            masked.append(error)
            continue
        error_id = uuid.uuid4().hex[:12]
        original = error.original_error
        assert original is not None
        request = current_request()
        if request is not None:
            request.error_ids.append(error_id)
        ledger = current_ledger()
        if ledger is not None and (is_database_unavailable(original) or is_database_busy(original)):
            # The view runs the request again or answers 503, and logs it then, once.
            if ledger.lost is None:
                ledger.lost = (error_id, original)
        else:
            logger.error(
                "unexpected error %s in %s at %s",
                error_id,
                operation_name or "anonymous operation",
                ".".join(str(p) for p in error.path or ()),
                exc_info=(type(original), original, original.__traceback__),
                extra={"error_id": error_id},
            )
        masked.append(
            GraphQLError(
                f"Unexpected error (id {error_id}). It has been logged; please quote the id.",
                nodes=error.nodes,
                source=error.source,
                positions=error.positions,
                path=error.path,
                extensions={"code": "INTERNAL", "errorId": error_id},
            )
        )
    result.errors = masked  # type: ignore[attr-defined]  # set only on an ExecutionResult


class IntrospectionPolicy(SchemaExtension):
    """Introspection (``__schema``, ``__type``) as :func:`introspection_allowed` says for the
    caller: refused as a validation error otherwise (``__typename`` is always allowed)."""

    def on_operation(self) -> Iterator[None]:
        if introspection_refused(self.execution_context.context):
            self.execution_context.validation_rules = (
                *self.execution_context.validation_rules,
                NoSchemaIntrospectionCustomRule,
            )
        yield


def introspection_refused(context: object) -> bool:
    """Whether :class:`IntrospectionPolicy` refuses introspection to this request's caller."""
    settings = getattr(context, "settings", None)
    return settings is not None and not introspection_allowed(
        settings, getattr(context, "viewer", None)
    )


class ObserveOperation(SchemaExtension):
    """Record the operation's name, type and outcome for the request's log line and metrics."""

    def on_operation(self) -> Iterator[None]:
        yield
        request = current_request()
        if request is None:
            return
        context = self.execution_context
        try:
            operation_type = context.operation_type
        except Exception:  # a document that did not parse has no operation
            operation_type = None
        observe_operation(request, context.operation_name, operation_type, context.result)


def observe_operation(
    request: RequestRecord, operation_name: str | None, operation_type: object, result: object
) -> None:
    """:class:`ObserveOperation`'s work once the operation ended (also the plan cache's)."""
    request.operation = operation_name
    request.operation_type = getattr(operation_type, "value", None)
    request.outcome = "errors" if getattr(result, "errors", None) else "ok"


class NoNulCharacters(ValidationRule):
    """Text never holds the NUL character: PostgreSQL cannot store it (the audit's internal
    errors on login, sign-up, messages, referrals, IPA drafts), and no person types it. A
    string literal with one is a validation error here; variables are checked as the request
    body is read (schema/view.py)."""

    def enter_string_value(self, node: StringValueNode, *_args: object) -> None:
        if "\x00" in node.value:
            self.report_error(GraphQLError(NUL_MESSAGE, node))


NUL_MESSAGE = "Text may not contain the NUL character (\\u0000)."

_SUGGESTION = re.compile(r"\s*Did you mean [^?]*\?")


class NoSuggestions(SchemaExtension):
    """Production: no "Did you mean ...?" in any error (types, fields, enum values, arguments,
    input fields), so the schema cannot be read back through typos with introspection off."""

    def on_operation(self) -> Iterator[None]:
        yield
        strip_suggestions(self.execution_context.result)


def strip_suggestions(result: object) -> None:
    """:class:`NoSuggestions`' work on an operation's result (also the plan cache's)."""
    for error in getattr(result, "errors", None) or ():
        error.message = _SUGGESTION.sub("", error.message)


class OperationNameRequired(SchemaExtension):
    """A document of several operations runs only the one ``operationName`` names (strawberry
    would otherwise run the first): without it, the request is an error (GraphQL spec,
    GetOperation)."""

    def on_parse(self) -> Iterator[None]:
        yield
        context = self.execution_context
        document = context.graphql_document
        if document is None or context._provided_operation_name is not None:
            return
        operations = [d for d in document.definitions if isinstance(d, OperationDefinitionNode)]
        if len(operations) > 1:
            raise GraphQLError("Must provide operation name if query contains multiple operations.")


#: The longest error message a client gets or the log holds: a message quotes the client's
#: values (a field name, a literal, a document's line), and one 5 MB request once wrote 21 MB
#: of log.
MAX_ERROR_MESSAGE = 500


def truncate_client_error(error: GraphQLError) -> None:
    """Bound what an error of the client's (syntax, validation, variables) repeats of the
    request: its message is cut to :data:`MAX_ERROR_MESSAGE` characters, and the document it
    points into is dropped (its locations stay), so neither the answer nor the log line
    quotes a huge document. Errors raised inside resolvers keep theirs (masked and logged
    with their traceback by :class:`MaskUnexpectedErrors`)."""
    if error.original_error is not None and not isinstance(error.original_error, GraphQLError):
        return
    if len(error.message) > MAX_ERROR_MESSAGE:
        error.message = error.message[: MAX_ERROR_MESSAGE - 1] + "…"
    error.source = None
    error.nodes = None
    # A coercion error wraps the inner error that says the same (logged as its "traceback").
    error.original_error = None


class RecordReads(SchemaExtension):
    """Every object of a child's case built for the answer is noted (``note_read``, in the
    types' constructors) while the operation executes; the access log gets one row per object
    when it ends."""

    def on_execute(self) -> Iterator[None]:
        context = self.execution_context.context
        with reading(context.access_log, context.viewer, context.channel, context.client_address):
            yield

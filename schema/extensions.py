"""Schema extensions: masking unexpected errors with an id the server log also has."""

from __future__ import annotations

import logging
import re
import uuid
from collections.abc import Iterator

from graphql import GraphQLError, OperationDefinitionNode, StringValueNode, ValidationRule
from strawberry.extensions import SchemaExtension

logger = logging.getLogger("portal.graphql")


def is_unexpected(error: GraphQLError) -> bool:
    """A resolver fault: an exception that is not a GraphQL error of its own.

    Validation, parsing and limiter errors (depth, aliases, tokens) have no original error
    and stay readable; everything raised from inside a resolver is masked.
    """
    original = error.original_error
    return original is not None and not isinstance(original, GraphQLError)


class MaskUnexpectedErrors(SchemaExtension):
    """Replace unexpected errors by 'Unexpected error (id …)' and log the traceback with the id."""

    def on_operation(self) -> Iterator[None]:
        yield
        result = self.execution_context.result
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
            logger.error(
                "unexpected error %s in %s at %s",
                error_id,
                self.execution_context.operation_name or "anonymous operation",
                ".".join(str(p) for p in error.path or ()),
                exc_info=(type(original), original, original.__traceback__),
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
        result.errors = masked  # type: ignore[union-attr]  # set only on an ExecutionResult


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
        errors = getattr(self.execution_context.result, "errors", None)
        for error in errors or ():
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

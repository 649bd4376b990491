"""Schema extensions: masking unexpected errors with an id the server log also has, and who
may introspect the schema."""

from __future__ import annotations

import logging
import uuid
from collections.abc import Iterator

from graphql import GraphQLError
from graphql.validation import NoSchemaIntrospectionCustomRule
from strawberry.extensions import SchemaExtension

from core.db import current_ledger, is_database_busy, is_database_unavailable

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
            ledger = current_ledger()
            if ledger is not None and (
                is_database_unavailable(original) or is_database_busy(original)
            ):
                # The view runs the request again or answers 503, and logs it then, once.
                if ledger.lost is None:
                    ledger.lost = (error_id, original)
            else:
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


class IntrospectionPolicy(SchemaExtension):
    """Introspection (``__schema``, ``__type``) as :func:`introspection_allowed` says for the
    caller: refused as a validation error otherwise (``__typename`` is always allowed)."""

    def on_operation(self) -> Iterator[None]:
        from schema.http.explorer import introspection_allowed

        context = self.execution_context.context
        settings = getattr(context, "settings", None)
        if settings is not None and not introspection_allowed(
            settings, getattr(context, "viewer", None)
        ):
            self.execution_context.validation_rules = (
                *self.execution_context.validation_rules,
                NoSchemaIntrospectionCustomRule,
            )
        yield

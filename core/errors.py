"""The domain's error family: problems a user can understand and fix.

Services raise these; the GraphQL layer turns them into ``UserError`` values in one place
(``schema/errors.py``). Anything else that escapes a resolver is a fault and is masked.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass


@dataclass(frozen=True)
class Problem:
    """One fixable problem: where (a path into the input, or a spreadsheet cell) and what."""

    message: str
    code: str = "INVALID"
    field: tuple[str, ...] | None = None


class DomainError(Exception):
    """Base of every fixable error. Carries one or more problems."""

    code = "INVALID"

    def __init__(
        self,
        message: str,
        *,
        field: Sequence[str] | None = None,
        code: str | None = None,
        problems: Sequence[Problem] | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        if code is not None:
            self.code = code
        self.field = tuple(field) if field is not None else None
        self.problems: tuple[Problem, ...] = (
            tuple(problems) if problems else (Problem(message, self.code, self.field),)
        )


class InvalidInput(DomainError):
    code = "INVALID"


class NotFound(DomainError):
    """The object does not exist *for this viewer* (never confirms it exists elsewhere)."""

    code = "NOT_FOUND"


class Forbidden(DomainError):
    code = "FORBIDDEN"


class Unauthenticated(DomainError):
    code = "UNAUTHENTICATED"


class Conflict(DomainError):
    code = "CONFLICT"


class InvalidState(DomainError):
    code = "INVALID_STATE"


class RateLimited(DomainError):
    code = "RATE_LIMITED"


def invalid(problems: Sequence[Problem]) -> InvalidInput:
    """One error carrying several problems, reported all at once."""
    first = problems[0]
    return InvalidInput(first.message, field=first.field, problems=problems)

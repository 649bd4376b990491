"""``UserError``: a domain error as payload data (``schema/mutation.py`` fills it)."""

from __future__ import annotations

from typing import Any

import strawberry

from core.errors import DomainError


@strawberry.type(
    description="A problem with the input or the state that the caller can understand and fix."
)
class UserError:
    field: list[str] | None = strawberry.field(
        description='Path to the offending input, e.g. ["input", "coreFee"] or ["Homes", "E7"] '
        "for a spreadsheet cell."
    )
    message: str
    code: str = strawberry.field(
        description="Stable machine-readable code, e.g. INVALID, NOT_FOUND, FORBIDDEN, "
        "CONFLICT, INVALID_STATE."
    )


def user_errors(error: DomainError) -> list[UserError]:
    return [
        UserError(
            field=list(p.field) if p.field is not None else None, message=p.message, code=p.code
        )
        for p in error.problems
    ]


def no_errors() -> list[UserError]:
    return []


#: A payload's ``userErrors`` field: empty unless the mutation failed.
USER_ERRORS: Any = strawberry.field(default_factory=no_errors)

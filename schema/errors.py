"""``UserError`` and the one place where domain errors become payload data."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

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


PayloadT = TypeVar("PayloadT")


async def run_mutation(
    payload: Callable[..., PayloadT], action: Callable[[], Awaitable[dict[str, Any]]]
) -> PayloadT:
    """Run ``action``; its result fills the payload, a DomainError fills ``userErrors``."""
    try:
        values = await action()
    except DomainError as error:
        return payload(user_errors=user_errors(error))
    return payload(user_errors=[], **values)

"""``UserError`` and the one place where mutations are authorised and domain errors become
payload data."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

import strawberry

from core.access import require_mutation
from core.errors import DomainError
from core.identity.viewer import Viewer


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


async def mutate(
    info: Any,
    field: str,
    payload: Callable[..., PayloadT],
    action: Callable[[Viewer], Awaitable[dict[str, Any]]],
) -> PayloadT:
    """Run mutation ``field``: check who may call it (``core.access``), then ``action``.

    The action's result fills the payload; a DomainError fills ``userErrors``. For a public
    mutation the action receives the viewer, which may be None.
    """
    viewer = info.context.viewer
    try:
        require_mutation(viewer, field)
        values = await action(viewer)
    except DomainError as error:
        return payload(user_errors=user_errors(error))
    return payload(user_errors=[], **values)

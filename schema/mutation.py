"""The one mutation helper, in the spirit of Saleor's ``BaseMutation``.

``@mutation`` replaces ``@strawberry.mutation``. Around the resolver it checks the caller
against the field's own access rule (``core.access``, looked up by the field's GraphQL name,
never by a string copied by hand) and turns a ``DomainError``, raised by the rule or by a
service, into the payload's ``userErrors`` (the payload is the field's declared type). So a
resolver only calls its service and returns its typed payload::

    @mutation
    async def invite_user(self, info: Info, input: InviteUserInput) -> UserPayload:
        user = await accounts.invite_user(...)  # the session, the caller, the input's values
        return UserPayload(user=User.of(user))
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

import strawberry
from strawberry.extensions import FieldExtension
from strawberry.types.base import has_object_definition
from strawberry.types.field import StrawberryField
from strawberry.utils.str_converters import to_camel_case

from core.access import require_mutation
from core.errors import DomainError
from core.identity.viewer import Viewer
from schema.errors import user_errors
from schema.node import decode_id


class Authorised(FieldExtension):
    """The access rule, then the resolver; a DomainError becomes the payload's userErrors."""

    def apply(self, field: StrawberryField) -> None:
        self.payload: Any = field.type

    async def resolve_async(
        self, next_: Callable[..., Awaitable[Any]], source: Any, info: Any, **kwargs: Any
    ) -> Any:
        try:
            require_mutation(info.context.viewer, info.field_name)
            return await next_(source, info, **kwargs)
        except DomainError as error:
            return self.payload(user_errors=user_errors(error))


def mutation(resolver: Callable[..., Any] | None = None, *, description: str | None = None) -> Any:
    """``@mutation`` (or ``@mutation(description=...)``) in place of ``@strawberry.mutation``:
    see the module's docstring."""
    if resolver is None:
        return lambda function: mutation(function, description=description)
    return strawberry.mutation(resolver, description=description, extensions=[Authorised()])


def signed_in(info: Any) -> Viewer:
    """The caller of a mutation whose rule admits only signed-in callers (checked already)."""
    viewer = info.context.viewer
    assert viewer is not None, "the mutation's access rule admits only signed-in callers"
    return viewer


def arguments(input: Any, **id_types: str) -> dict[str, Any]:
    """A GraphQL input as a service's keyword arguments: each field by its Python name, the
    global ids of ``id_types`` (field name -> node type; a list of ids too) decoded, NOT_FOUND
    on their path. Fields left out of the input (UNSET) are left out."""
    assert has_object_definition(input)
    values: dict[str, Any] = {}
    for field in input.__strawberry_definition__.fields:
        name = field.python_name
        value = getattr(input, name)
        if value is strawberry.UNSET:
            continue
        if name in id_types and value is not None:
            path = ("input", field.graphql_name or to_camel_case(name))
            if isinstance(value, list):
                value = [
                    decode_id(item, id_types[name], field=(*path, str(i)))
                    for i, item in enumerate(value)
                ]
            else:
                value = decode_id(value, id_types[name], field=path)
        values[name] = value
    return values

"""Enums whose values come from outside the schema code.

``CareCategory`` has one value per installed category plugin: the schema names none. Its
values are filled from the category registry each time a schema is built
(:func:`bind_care_categories`), so a fifth plugin appears without a change here.
"""

from __future__ import annotations

from enum import Enum

import strawberry
from strawberry.types.enum import EnumValue, StrawberryEnumDefinition

from core.genders import Gender as _Gender
from core.plugins.registry import CategoryRegistry


class CareCategory(str):
    """A care category value (e.g. ``"FOSTERING"``) as it crosses the GraphQL boundary.

    Inputs arrive as instances of this ``str`` subclass; resolvers may return plain strings.
    """

    __slots__ = ()

    @property
    def value(self) -> str:
        return str(self)


_DEFINITION = StrawberryEnumDefinition(
    wrapped_cls=CareCategory,  # type: ignore[arg-type]  # an enum made at start
    name="CareCategory",
    values=[],
    description="One value per installed category plugin; these four ship with the portal.",
)
CareCategory.__strawberry_definition__ = _DEFINITION  # type: ignore[attr-defined]  # bound at start


def bind_care_categories(registry: CategoryRegistry) -> None:
    """Give ``CareCategory`` the values of ``registry`` for the schema about to be built."""
    _DEFINITION.values = [
        EnumValue(name=c.value, value=c.value, description=c.label) for c in registry.all()
    ]


Gender = _Gender
strawberry.enum(_Gender, name="Gender")


@strawberry.enum
class ContractType(Enum):
    FRAMEWORK = "FRAMEWORK"
    SPOT = "SPOT"

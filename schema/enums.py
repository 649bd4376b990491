"""Enums whose values come from outside the schema code.

``CareCategory`` has one value per installed category plugin: the schema names none. Its
values are filled from the category registry each time a schema is built
(:func:`bind_care_categories`), so a fifth plugin appears without a change here.

The core's enums (statuses, kinds, roles...) are shown under the names of :data:`CORE_ENUMS`,
given by :func:`name_core_enums`: called from the wiring (schema/wiring.py), never as a side
effect of importing a types module. :func:`build_schema <schema.build.build_schema>` refuses
to build a schema before that.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum

import strawberry
from strawberry.types.enum import EnumValue, StrawberryEnumDefinition

from core.children.access_log import AccessChannel
from core.documents.kinds import DocumentKind
from core.genders import Gender as _Gender
from core.identity.login import LoginStep
from core.identity.roles import OrganisationKind, Role
from core.ipas.kinds import IpaStatus
from core.notifications.kinds import NotificationKind
from core.offers.kinds import CostFrequency, OfferStatus
from core.plugins.registry import CategoryRegistry
from core.referrals.kinds import DeclineReasonCode as _DeclineReasonCode
from core.referrals.kinds import DeliveryStatus, ReferralStatus, Urgency
from core.registration.status import RegistrationStatus
from core.webhooks.events import WebhookEvent


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


@strawberry.enum
class ContractType(Enum):
    FRAMEWORK = "FRAMEWORK"
    SPOT = "SPOT"


DeclineReasonCode = _DeclineReasonCode


@dataclass(frozen=True)
class CoreEnum:
    """A core enum as the schema shows it."""

    enum: type[Enum]
    name: str
    description: str | None = None


CORE_ENUMS: tuple[CoreEnum, ...] = (
    CoreEnum(AccessChannel, "AccessChannel"),
    CoreEnum(CostFrequency, "CostFrequency"),
    CoreEnum(
        _DeclineReasonCode,
        "DeclineReasonCode",
        "Why a referral or an offer was declined, beside the free-text reason.",
    ),
    CoreEnum(DeliveryStatus, "DeliveryStatus"),
    CoreEnum(DocumentKind, "DocumentKind"),
    CoreEnum(_Gender, "Gender"),
    CoreEnum(IpaStatus, "IpaStatus"),
    CoreEnum(LoginStep, "LoginStep"),
    CoreEnum(NotificationKind, "NotificationKind"),
    CoreEnum(OfferStatus, "OfferStatus"),
    CoreEnum(OrganisationKind, "OrganisationKind"),
    CoreEnum(ReferralStatus, "ReferralStatus"),
    CoreEnum(RegistrationStatus, "RegistrationStatus"),
    CoreEnum(Role, "Role"),
    CoreEnum(
        Urgency,
        "Urgency",
        "How soon the placement is needed (DfE children's social care placements data standard).",
    ),
    CoreEnum(WebhookEvent, "WebhookEvent"),
)


_named = False


def name_core_enums() -> None:
    """Give each of :data:`CORE_ENUMS` its GraphQL name and description; calling it again
    changes nothing.

    strawberry names a plain enum itself (its class name, no description) as soon as a types
    module that implements an interface is imported: that definition is the one the types hold,
    so it is completed in place rather than replaced (as :func:`bind_care_categories` does).
    """
    global _named
    for core_enum in CORE_ENUMS:
        definition = vars(core_enum.enum).get("__strawberry_definition__")
        if definition is None:
            strawberry.enum(core_enum.enum, name=core_enum.name, description=core_enum.description)
        else:
            definition.name = core_enum.name
            definition.description = core_enum.description
    _named = True


def check_core_enums_named() -> None:
    """RuntimeError unless :func:`name_core_enums` has run (the schema was wired)."""
    if not _named:
        raise RuntimeError(
            "The core enums have no GraphQL names and descriptions yet: call "
            "schema.wiring.wire_schema() before building a schema (create_app and the tests' "
            "conftest do)."
        )

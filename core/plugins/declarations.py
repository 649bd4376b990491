"""Values that cross between the core and the category plugins: frozen, plain data."""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

JsonSchema = Mapping[str, Any]


@dataclass(frozen=True)
class CategoryDeclaration:
    """What a category plugin declares about its care category (contract section 4).

    ``value`` is the GraphQL enum value (upper snake case, e.g. ``FOSTERING``); ``label`` is
    what people read and what the registration spreadsheet's ``Care category`` column holds.
    ``min_age``/``max_age`` bound the children (0-17) this category places. The JSON Schemas
    describe ``Referral.details`` and ``Offer.details``; ``settings_schema`` describes the
    settings a category lead may change and ``settings_defaults`` must validate against it.
    ``required_offer_documents`` are ``DocumentKind`` values attached to every offer from the
    provider's profile. ``offer_family_key``, when set, names the property of ``Offer.details``
    that holds one household (e.g. ``"family"`` for fostering): the core saves it as a
    ``FosteringFamily`` of the provider and offers it back for auto-fill.
    """

    value: str
    label: str
    min_age: int
    max_age: int
    referral_details_schema: JsonSchema
    offer_details_schema: JsonSchema
    required_offer_documents: tuple[str, ...]
    settings_schema: JsonSchema
    settings_defaults: Mapping[str, Any] = field(default_factory=dict)
    description: str = ""
    #: Where the category comes in lists and in the enum (lower first).
    position: int = 100
    #: The ``Offer.details`` property holding a household saved for auto-fill (None: no such).
    offer_family_key: str | None = None
    #: The DfE placements data standard's ``placementType`` code for a placement of this
    #: category (``Residential``, ``Foster`` or ``Supported Accommodation``; None: none fits).
    placements_standard_type: str | None = None
    #: Referral details that carry a field of the standard: ``{standard field: (details
    #: property, {details value: the standard's code})}``; values not listed are left empty.
    placements_standard_details: Mapping[str, tuple[str, Mapping[Any, str]]] = field(
        default_factory=dict
    )


@dataclass(frozen=True)
class ReferralChildFacts:
    age: int
    gender: str


@dataclass(frozen=True)
class MatchRequest:
    """The facts of a referral version that matching may look at (never names: there are none)."""

    referral_id: uuid.UUID
    local_authority_id: uuid.UUID
    local_authority_name: str
    category: str
    children: tuple[ReferralChildFacts, ...]
    details: Mapping[str, Any]
    postcode: str | None = None


@dataclass(frozen=True)
class CandidateHome:
    """A home that passed the core criteria (category, ages, genders, beds, approved provider)."""

    home_id: uuid.UUID
    provider_id: uuid.UUID
    category: str
    min_age: int
    max_age: int
    genders: frozenset[str]
    beds: int
    contract_type: str
    postcode: str
    local_authority_area: str | None = None
    attributes: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class HomeFacts:
    """A home as read from a registration spreadsheet row, for a category's own checks."""

    name: str
    category: str
    min_age: int
    max_age: int
    genders: frozenset[str]
    beds: int
    contract_type: str


@dataclass(frozen=True)
class DetailsProblem:
    """A problem a category's own offer checks found: what, and where inside ``details``
    (e.g. ``("appendixDocumentIds", "0")``)."""

    message: str
    path: tuple[str, ...] = ()

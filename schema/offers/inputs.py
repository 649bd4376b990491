"""Inputs and payloads of the offer mutations (shapes from the contract)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import strawberry
from strawberry.scalars import JSON

from schema.errors import USER_ERRORS, UserError
from schema.offers.types import CostFrequency, Offer


@strawberry.input
class AdditionalCostInput:
    description: str
    amount: Decimal
    frequency: CostFrequency


@strawberry.input
class SubmitOfferInput:
    referral_id: strawberry.ID
    home_id: strawberry.ID
    core_fee: Decimal
    additional_costs: list[AdditionalCostInput] | None = None
    start_date: date | None = None
    details: JSON | None = None
    document_ids: list[strawberry.ID] | None = None
    fostering_family_id: strawberry.ID | None = strawberry.field(
        default=None,
        description="Fostering: reuse (and update) a saved family; new details are saved for "
        "auto-fill.",
    )


@strawberry.input
class UpdateOfferInput:
    id: strawberry.ID
    home_id: strawberry.ID | None = strawberry.UNSET
    core_fee: Decimal | None = strawberry.UNSET
    additional_costs: list[AdditionalCostInput] | None = strawberry.UNSET
    start_date: date | None = strawberry.UNSET
    details: JSON | None = strawberry.UNSET
    document_ids: list[strawberry.ID] | None = strawberry.UNSET


@strawberry.input
class OfferIdInput:
    id: strawberry.ID


@strawberry.input
class DeclineOfferInput:
    id: strawberry.ID
    reason: str


@strawberry.type
class OfferPayload:
    user_errors: list[UserError] = USER_ERRORS
    offer: Offer | None = None

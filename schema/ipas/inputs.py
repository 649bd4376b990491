"""Inputs and payloads of the IPA mutations (shapes from the contract)."""

from __future__ import annotations

import strawberry
from strawberry.scalars import JSON

from schema.errors import USER_ERRORS, UserError
from schema.ipas.types import IndividualPlacementAgreement


@strawberry.input
class UpdateIpaDraftInput:
    id: strawberry.ID
    fields: JSON | None = strawberry.field(
        default=None,
        description="LA-entered fields merged into terms, e.g. placementStartDate, "
        "socialWorker, additionalTerms.",
    )
    document_ids: list[strawberry.ID] | None = None


@strawberry.input
class IpaIdInput:
    id: strawberry.ID


@strawberry.input
class SignIpaInput:
    id: strawberry.ID
    on_behalf_of_user_id: strawberry.ID | None = strawberry.field(
        default=None, description="Sign under authority delegated by this user."
    )


@strawberry.type
class IpaPayload:
    user_errors: list[UserError] = USER_ERRORS
    ipa: IndividualPlacementAgreement | None = None

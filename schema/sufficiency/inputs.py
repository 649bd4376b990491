"""Inputs and payloads of the sufficiency mutations."""

from __future__ import annotations

from datetime import date

import strawberry

from schema.errors import USER_ERRORS, UserError
from schema.registration.types import Home


@strawberry.input
class UpdateHomeVacancyInput:
    home_id: strawberry.ID
    beds_free: int
    available_from: date | None = None


@strawberry.type
class HomePayload:
    user_errors: list[UserError] = USER_ERRORS
    home: Home | None = None


@strawberry.input(description="Hours providers have to respond, by urgency; null: the default.")
class SetResponseHoursInput:
    today: int | None = None
    within_5_days: int | None = strawberry.field(default=None, name="within5Days")
    over_5_days: int | None = strawberry.field(default=None, name="over5Days")


@strawberry.input
class SetAutoDeclineInput:
    enabled: bool


@strawberry.type(description="A local authority's hours for providers to respond, by urgency.")
class ResponseHours:
    today: int
    within_5_days: int = strawberry.field(name="within5Days")
    over_5_days: int = strawberry.field(name="over5Days")


@strawberry.type
class ResponseHoursPayload:
    user_errors: list[UserError] = USER_ERRORS
    response_hours: ResponseHours | None = None


@strawberry.type
class AutoDeclinePayload:
    user_errors: list[UserError] = USER_ERRORS
    enabled: bool | None = strawberry.field(
        default=None,
        description="Whether referrals none of whose matching homes has a vacancy are "
        "declined at once.",
    )

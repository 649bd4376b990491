"""Inputs and payloads of the referral mutations (shapes from the contract)."""

from __future__ import annotations

from datetime import date

import strawberry
from strawberry.scalars import JSON

from schema.enums import CareCategory, Gender
from schema.errors import USER_ERRORS, UserError
from schema.referrals.types import Referral, Urgency


@strawberry.input
class ReferralChildInput:
    age: int
    gender: Gender
    needs: str | None = None


@strawberry.input
class CreateReferralInput:
    category: CareCategory
    children: list[ReferralChildInput]
    summary: str
    urgency: Urgency | None = None
    postcode: str | None = None
    required_from: date | None = None
    details: JSON | None = None
    document_ids: list[strawberry.ID] | None = None


@strawberry.input
class UpdateReferralInput:
    id: strawberry.ID
    children: list[ReferralChildInput] | None = strawberry.UNSET
    summary: str | None = strawberry.UNSET
    urgency: Urgency | None = strawberry.UNSET
    postcode: str | None = strawberry.UNSET
    required_from: date | None = strawberry.UNSET
    details: JSON | None = strawberry.UNSET
    document_ids: list[strawberry.ID] | None = strawberry.UNSET


@strawberry.input
class ReferralIdInput:
    id: strawberry.ID


@strawberry.input
class WithdrawReferralInput:
    id: strawberry.ID
    reason: str


@strawberry.input
class DeclineReferralInput:
    id: strawberry.ID
    reason: str


@strawberry.type
class ReferralPayload:
    user_errors: list[UserError] = USER_ERRORS
    referral: Referral | None = None


@strawberry.type
class SendReferralPayload:
    user_errors: list[UserError] = USER_ERRORS
    referral: Referral | None = None
    delivered_count: int = strawberry.field(
        default=0,
        description="Providers that received this version now "
        "(0 when nothing changed since the last send).",
    )

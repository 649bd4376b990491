"""Inputs and payloads of the identity mutations (shapes from the contract)."""

from __future__ import annotations

from datetime import datetime

import strawberry

from schema.enums import CareCategory
from schema.errors import USER_ERRORS, UserError
from schema.identity.types import AccountRequest, ApiToken, LoginStep, Organisation, Role, User


@strawberry.input
class SignUpProviderInput:
    organisation_name: str
    name: str
    email: str
    password: str


@strawberry.type
class SignUpProviderPayload:
    user_errors: list[UserError] = USER_ERRORS
    user: User | None = None


@strawberry.input
class LoginInput:
    email: str
    password: str


@strawberry.type
class LoginPayload:
    user_errors: list[UserError] = USER_ERRORS
    challenge: str | None = strawberry.field(
        default=None,
        description="Short-lived token that stands for 'password checked'; pass it to "
        "enrolTotp / verifyTotp.",
    )
    next_step: LoginStep | None = None


@strawberry.input
class EnrolTotpInput:
    challenge: str


@strawberry.type
class EnrolTotpPayload:
    user_errors: list[UserError] = USER_ERRORS
    provisioning_uri: str | None = strawberry.field(
        default=None,
        description="otpauth:// URI for the authenticator app (also shown as a QR code by the "
        "web client).",
    )
    secret: str | None = None


@strawberry.input
class VerifyTotpInput:
    challenge: str
    code: str


@strawberry.type
class VerifyTotpPayload:
    user_errors: list[UserError] = USER_ERRORS
    session_token: str | None = strawberry.field(
        default=None,
        description="Bearer token for API clients; browsers also receive it as an HttpOnly cookie.",
    )
    expires_at: datetime | None = None
    viewer: User | None = None


@strawberry.type
class LogoutPayload:
    user_errors: list[UserError] = USER_ERRORS


@strawberry.input
class AcceptInvitationInput:
    token: str
    password: str


@strawberry.type
class AcceptInvitationPayload:
    user_errors: list[UserError] = USER_ERRORS
    user: User | None = None


@strawberry.input
class CreateLocalAuthorityInput:
    name: str
    code: str = strawberry.field(description="Short code used in referral references, e.g. BIR.")
    enabled_categories: list[CareCategory]


@strawberry.input
class SetEnabledCategoriesInput:
    organisation_id: strawberry.ID
    categories: list[CareCategory]


@strawberry.type
class OrganisationPayload:
    user_errors: list[UserError] = USER_ERRORS
    organisation: Organisation | None = None


@strawberry.input
class InviteUserInput:
    organisation_id: strawberry.ID
    email: str
    name: str
    roles: list[Role]


@strawberry.input
class SetUserRolesInput:
    user_id: strawberry.ID
    roles: list[Role]


@strawberry.type
class UserPayload:
    user_errors: list[UserError] = USER_ERRORS
    user: User | None = None


@strawberry.input
class RequestAccountInput:
    email: str
    name: str
    roles: list[Role]


@strawberry.input
class DecideAccountRequestInput:
    id: strawberry.ID
    approve: bool
    reason: str | None = None


@strawberry.type
class AccountRequestPayload:
    user_errors: list[UserError] = USER_ERRORS
    account_request: AccountRequest | None = None


@strawberry.input
class CreateApiTokenInput:
    name: str


@strawberry.type
class CreateApiTokenPayload:
    user_errors: list[UserError] = USER_ERRORS
    token: str | None = strawberry.field(
        default=None, description="Shown once; only a hash is stored."
    )
    api_token: ApiToken | None = None


@strawberry.input
class RevokeApiTokenInput:
    id: strawberry.ID


@strawberry.type
class RevokeApiTokenPayload:
    user_errors: list[UserError] = USER_ERRORS


@strawberry.input
class SigningAuthorityInput:
    user_id: strawberry.ID

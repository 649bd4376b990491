"""Inputs and payloads of the registration mutations (shapes from the contract)."""

from __future__ import annotations

import strawberry
from strawberry.file_uploads import Upload

from schema.errors import USER_ERRORS, UserError
from schema.registration.types import ProviderRegistration


@strawberry.input
class UploadRegistrationSpreadsheetInput:
    file: Upload


@strawberry.input
class DecideRegistrationInput:
    id: strawberry.ID
    reason: str | None = strawberry.field(
        default=None, description="Required to reject; shown to the provider."
    )


@strawberry.type
class RegistrationPayload:
    user_errors: list[UserError] = USER_ERRORS
    registration: ProviderRegistration | None = None

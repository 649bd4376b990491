"""Recording security events in the caller's unit of work."""

from __future__ import annotations

import uuid
from enum import StrEnum
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from core.models import AuditEvent


class AuditKind(StrEnum):
    LOGIN_PASSWORD_OK = "LOGIN_PASSWORD_OK"
    LOGIN_FAILED = "LOGIN_FAILED"
    LOGIN_SUCCEEDED = "LOGIN_SUCCEEDED"
    TOTP_FAILED = "TOTP_FAILED"
    TOTP_REPLAYED = "TOTP_REPLAYED"
    ACCOUNT_LOCKED = "ACCOUNT_LOCKED"
    TOTP_ENROLLED = "TOTP_ENROLLED"
    SESSION_ENDED = "SESSION_ENDED"
    ROLES_CHANGED = "ROLES_CHANGED"
    USER_INVITED = "USER_INVITED"
    INVITATION_ACCEPTED = "INVITATION_ACCEPTED"
    PROVIDER_SIGN_UP_REQUESTED = "PROVIDER_SIGN_UP_REQUESTED"
    PROVIDER_SIGNED_UP = "PROVIDER_SIGNED_UP"
    ACCOUNT_REQUESTED = "ACCOUNT_REQUESTED"
    ACCOUNT_REQUEST_DECIDED = "ACCOUNT_REQUEST_DECIDED"
    API_TOKEN_CREATED = "API_TOKEN_CREATED"
    API_TOKEN_REVOKED = "API_TOKEN_REVOKED"
    SIGNING_AUTHORITY_GRANTED = "SIGNING_AUTHORITY_GRANTED"
    SIGNING_AUTHORITY_REVOKED = "SIGNING_AUTHORITY_REVOKED"
    WEBHOOK_ENDPOINT_CHANGED = "WEBHOOK_ENDPOINT_CHANGED"
    USER_DEACTIVATED = "USER_DEACTIVATED"
    USER_REACTIVATED = "USER_REACTIVATED"
    RETENTION_POLICY_SET = "RETENTION_POLICY_SET"
    REFERRAL_PURGED = "REFERRAL_PURGED"
    IPA_PURGED = "IPA_PURGED"
    DATA_EXPORT_REQUESTED = "DATA_EXPORT_REQUESTED"


def record(
    session: AsyncSession,
    kind: AuditKind,
    *,
    actor_user_id: uuid.UUID | None = None,
    subject_user_id: uuid.UUID | None = None,
    organisation_id: uuid.UUID | None = None,
    client_address: str | None = None,
    **details: Any,
) -> None:
    session.add(
        AuditEvent(
            kind=kind.value,
            actor_user_id=actor_user_id,
            subject_user_id=subject_user_id,
            organisation_id=organisation_id,
            client_address=client_address,
            details={k: v for k, v in details.items() if v is not None},
        )
    )

"""Organisations, users and everything that proves who is asking."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from core.models.base import Base, HasId, utcnow


class Organisation(HasId, Base):
    """A local authority, a provider or the platform operator."""

    __tablename__ = "organisations"

    kind: Mapped[str] = mapped_column(String(32), index=True)
    name: Mapped[str] = mapped_column(String(200))
    #: Local authorities: the short code in referral references (e.g. BIR); unique.
    code: Mapped[str | None] = mapped_column(String(8), unique=True)
    #: Local authorities: the care categories it may send referrals for (the pilot control).
    enabled_categories: Mapped[list[str]] = mapped_column(JSON, default=list)
    #: Providers: the local authority that manages (approves) its registration.
    managing_local_authority_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("organisations.id", ondelete="SET NULL"), index=True
    )
    #: Local authorities: days a closed referral's personal data is kept (None: the default).
    retention_days: Mapped[int | None] = mapped_column(Integer)
    #: Local authorities: days an IPA is kept after it ends (None: the default).
    ipa_retention_days: Mapped[int | None] = mapped_column(Integer)
    #: Providers: answer a referral none of whose matching homes has a current vacancy with
    #: a NO_VACANCY decline at send time, instead of delivering it.
    auto_decline_without_vacancy: Mapped[bool] = mapped_column(
        Boolean, default=False, server_default=text("false")
    )
    #: Local authorities: hours providers have to respond, by urgency (None: the defaults).
    response_hours: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class User(HasId, Base):
    __tablename__ = "users"

    organisation_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("organisations.id", ondelete="CASCADE"), index=True
    )
    email: Mapped[str] = mapped_column(String(320))
    #: ``email`` case-folded: one account per address, compared case-insensitively.
    email_key: Mapped[str] = mapped_column(String(320), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    #: None until an invited user accepts the invitation and chooses a password.
    password_hash: Mapped[str | None] = mapped_column(String(255))
    is_active: Mapped[bool] = mapped_column(Boolean, default=True)
    #: The TOTP secret, encrypted with a key derived from PORTAL_SECRET_KEY.
    totp_secret: Mapped[bytes | None] = mapped_column(LargeBinary)
    totp_enabled: Mapped[bool] = mapped_column(Boolean, default=False)
    #: The last RFC 6238 time step accepted: a code is never accepted twice.
    totp_last_step: Mapped[int | None] = mapped_column(Integer)
    #: Unused since migration 0015: failed sign-ins are counted per address in
    #: ``sign_in_throttles`` (a slowdown, never a lock), TOTP codes per login challenge.
    failed_attempts: Mapped[int] = mapped_column(Integer, default=0)
    locked_until: Mapped[datetime | None]
    #: NotificationKind values the user does not want emails for (in-portal ones stay).
    email_opt_outs: Mapped[list[str]] = mapped_column(JSON, default=list)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    roles: Mapped[list[UserRole]] = relationship(
        lazy="raise", cascade="all, delete-orphan", passive_deletes=True
    )


class UserRole(Base):
    __tablename__ = "user_roles"

    user_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    role: Mapped[str] = mapped_column(String(32), primary_key=True, index=True)


class LoginChallenge(HasId, Base):
    """'Password checked': lets its holder enrol or verify TOTP, and nothing else."""

    __tablename__ = "login_challenges"

    user_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), index=True
    )
    token_hash: Mapped[bytes] = mapped_column(LargeBinary(32), unique=True)
    expires_at: Mapped[datetime]
    used_at: Mapped[datetime | None]
    #: TOTP codes tried with this challenge (counted before each is checked; 5 at most).
    code_attempts: Mapped[int] = mapped_column(Integer, default=0, server_default=text("0"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class SignInThrottle(Base):
    """Failed sign-in attempts for one email address, whether or not an account has it (so
    that the slowdown tells nothing about which addresses exist). Keyed by a keyed hash of the
    address: the table names no one."""

    __tablename__ = "sign_in_throttles"

    key: Mapped[bytes] = mapped_column(LargeBinary(32), primary_key=True)
    failures: Mapped[int] = mapped_column(Integer, default=0)
    #: No attempt for this address is checked before this moment.
    next_attempt_at: Mapped[datetime | None]
    last_attempt_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)


class PendingSignUp(HasId, Base):
    """A provider's sign-up waiting for the link emailed to its address: nothing is created
    (and nothing tells whether the address already has an account) until it is confirmed."""

    __tablename__ = "pending_sign_ups"

    token_hash: Mapped[bytes] = mapped_column(LargeBinary(32), unique=True)
    organisation_name: Mapped[str] = mapped_column(String(200))
    name: Mapped[str] = mapped_column(String(200))
    email: Mapped[str] = mapped_column(String(320))
    password_hash: Mapped[str] = mapped_column(String(255))
    expires_at: Mapped[datetime] = mapped_column(index=True)
    confirmed_at: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class UserSession(HasId, Base):
    """A login session: only the sha256 of its token is stored."""

    __tablename__ = "user_sessions"

    user_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), index=True
    )
    token_hash: Mapped[bytes] = mapped_column(LargeBinary(32), unique=True)
    expires_at: Mapped[datetime]
    ended_at: Mapped[datetime | None]
    #: Written at most once a minute; a session idle longer than the setting has ended.
    last_seen_at: Mapped[datetime | None]
    client_address: Mapped[str | None] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class ApiToken(HasId, Base):
    """A token for an LA's case-management system; acts as LA_CASEWORKER of its LA."""

    __tablename__ = "api_tokens"

    organisation_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("organisations.id", ondelete="CASCADE"), index=True
    )
    name: Mapped[str] = mapped_column(String(200))
    token_hash: Mapped[bytes] = mapped_column(LargeBinary(32), unique=True)
    created_by_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL")
    )
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_used_at: Mapped[datetime | None]
    revoked_at: Mapped[datetime | None]
    #: Tokens expire (``expiresInDays``, capped by ``api_token_max_days``); None only for
    #: tokens made before expiry existed.
    expires_at: Mapped[datetime | None]


class Invitation(HasId, Base):
    """A one-time, expiring link for an invited user to choose a password."""

    __tablename__ = "invitations"

    user_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), index=True
    )
    token_hash: Mapped[bytes] = mapped_column(LargeBinary(32), unique=True)
    invited_by_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL")
    )
    expires_at: Mapped[datetime]
    accepted_at: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class AccountRequest(HasId, Base):
    """A provider admin's request for an account for one more person of the provider."""

    __tablename__ = "account_requests"

    organisation_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("organisations.id", ondelete="CASCADE"), index=True
    )
    email: Mapped[str] = mapped_column(String(320))
    name: Mapped[str] = mapped_column(String(200))
    roles: Mapped[list[str]] = mapped_column(JSON)
    status: Mapped[str] = mapped_column(String(16), default="PENDING", index=True)
    requested_by_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL")
    )
    decided_by_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL")
    )
    decided_at: Mapped[datetime | None]
    reason: Mapped[str | None] = mapped_column(String(2000))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class SigningDelegation(HasId, Base):
    """Authority granted by a signatory to another user of the same organisation."""

    __tablename__ = "signing_delegations"

    signatory_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), index=True
    )
    delegate_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), index=True
    )
    granted_at: Mapped[datetime] = mapped_column(default=utcnow)
    revoked_at: Mapped[datetime | None]

    __table_args__ = (
        Index(
            "uq_signing_delegations_active",
            "signatory_id",
            "delegate_id",
            unique=True,
            sqlite_where=text("revoked_at IS NULL"),
            postgresql_where=text("revoked_at IS NULL"),
        ),
    )


class AuditEvent(HasId, Base):
    """A security event: who, from where, when, what."""

    __tablename__ = "audit_events"

    kind: Mapped[str] = mapped_column(String(48), index=True)
    actor_user_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), index=True
    )
    subject_user_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL")
    )
    organisation_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("organisations.id", ondelete="SET NULL")
    )
    client_address: Mapped[str | None] = mapped_column(String(64))
    details: Mapped[dict[str, Any]] = mapped_column(default=dict)
    created_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)

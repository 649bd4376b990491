"""Signing in: password, then a TOTP code from an authenticator app, then a session.

No email or SMS codes. Five wrong passwords or codes lock the account for 15 minutes; a
code is accepted once only; the session token is stored only as a hash and lasts 14 days.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from core.db import Database, rowcount
from core.errors import DomainError, InvalidInput, InvalidState, Unauthenticated
from core.identity import passwords, totp
from core.identity.audit import AuditKind, record
from core.identity.emails import email_key
from core.identity.secrets import (
    CHALLENGE_PREFIX,
    SESSION_PREFIX,
    decrypt_secret,
    encrypt_secret,
    hash_token,
    new_token,
)
from core.identity.viewer import Viewer
from core.models import LoginChallenge, User, UserSession
from core.models.base import utcnow
from core.settings import Settings

MAX_FAILURES = 5
LOCK_DURATION = timedelta(minutes=15)
CHALLENGE_LIFETIME = timedelta(minutes=5)
SESSION_LIFETIME = timedelta(days=14)

WRONG_CREDENTIALS = "The email address or the password is not right."


class LoginStep(StrEnum):
    ENROL_TOTP = "ENROL_TOTP"
    VERIFY_TOTP = "VERIFY_TOTP"


class Locked(DomainError):
    code = "LOCKED"


@dataclass(frozen=True)
class Challenge:
    token: str
    next_step: LoginStep


@dataclass(frozen=True)
class Enrolment:
    provisioning_uri: str
    secret: str


@dataclass(frozen=True)
class NewSession:
    token: str
    expires_at: datetime
    user_id: uuid.UUID


def _fast(settings: Settings) -> bool:
    return settings.env == "test"


def _locked_error(until: datetime) -> Locked:
    return Locked(
        "Too many failed attempts: this account is locked until "
        f"{until:%H:%M} UTC. Try again after that."
    )


async def login(
    db: Database, settings: Settings, *, email: str, password: str, client_address: str | None
) -> Challenge:
    """Check the password; return a short-lived challenge for the TOTP step."""
    async with db.session() as session:
        user = await session.scalar(select(User).where(User.email_key == email_key(email)))
    usable = user is not None and user.is_active and user.password_hash is not None
    now = utcnow()
    if user is not None and user.locked_until and user.locked_until > now:
        await passwords.verify_password(None, password, fast=_fast(settings))
        async with db.transaction() as session:
            record(
                session,
                AuditKind.LOGIN_FAILED,
                subject_user_id=user.id,
                client_address=client_address,
                reason="locked",
            )
        raise _locked_error(user.locked_until)
    ok = await passwords.verify_password(
        user.password_hash if usable and user else None, password, fast=_fast(settings)
    )
    if not ok or user is None:
        if user is not None and usable:
            await _count_failure(db, user.id, client_address, "password")
        else:
            async with db.transaction() as session:
                record(
                    session,
                    AuditKind.LOGIN_FAILED,
                    client_address=client_address,
                    reason="unknown email" if user is None else "inactive",
                    email=email[:320],
                )
        raise Unauthenticated(WRONG_CREDENTIALS, code="INVALID_CREDENTIALS")
    token, token_hash = new_token(CHALLENGE_PREFIX)
    async with db.transaction() as session:
        session.add(
            LoginChallenge(
                user_id=user.id, token_hash=token_hash, expires_at=now + CHALLENGE_LIFETIME
            )
        )
        if user.password_hash and passwords.needs_rehash(user.password_hash, fast=_fast(settings)):
            new_hash = await passwords.hash_password(password, fast=_fast(settings))
            await session.execute(
                update(User).where(User.id == user.id).values(password_hash=new_hash)
            )
        record(
            session,
            AuditKind.LOGIN_PASSWORD_OK,
            subject_user_id=user.id,
            organisation_id=user.organisation_id,
            client_address=client_address,
        )
    return Challenge(token, LoginStep.VERIFY_TOTP if user.totp_enabled else LoginStep.ENROL_TOTP)


async def _challenge_user(session: AsyncSession, challenge: str) -> tuple[LoginChallenge, User]:
    row = (
        await session.execute(
            select(LoginChallenge, User)
            .join(User, User.id == LoginChallenge.user_id)
            .where(LoginChallenge.token_hash == hash_token(challenge))
        )
    ).first()
    if (
        row is None
        or row[0].used_at is not None
        or row[0].expires_at <= utcnow()
        or not row[1].is_active
    ):
        raise InvalidState(
            "This sign-in has expired or was already used. Sign in again with your password.",
            field=("input", "challenge"),
            code="EXPIRED",
        )
    return row[0], row[1]


async def enrol_totp(db: Database, settings: Settings, *, challenge: str) -> Enrolment:
    """A new secret for the authenticator app of a user who has none yet."""
    async with db.transaction() as session:
        _, user = await _challenge_user(session, challenge)
        if user.totp_enabled:
            raise InvalidState(
                "An authenticator app is already set up for this account: enter its code."
            )
        secret = totp.new_secret()
        await session.execute(
            update(User)
            .where(User.id == user.id)
            .values(totp_secret=encrypt_secret(settings.secret_key, secret))
        )
    return Enrolment(totp.provisioning_uri(secret, user.email, settings.totp_issuer), secret)


async def verify_totp(
    db: Database, settings: Settings, *, challenge: str, code: str, client_address: str | None
) -> NewSession:
    """Check the code once; open a session."""
    async with db.session() as session:
        login_challenge, user = await _challenge_user(session, challenge)
    now = utcnow()
    if user.locked_until and user.locked_until > now:
        raise _locked_error(user.locked_until)
    secret = decrypt_secret(settings.secret_key, user.totp_secret) if user.totp_secret else None
    if secret is None:
        raise InvalidState(
            "Set up an authenticator app first (enrolTotp), then enter its code.",
            field=("input", "code"),
        )
    step = totp.matching_step(secret, code)
    if step is None:
        await _count_failure(db, user.id, client_address, "code")
        raise InvalidInput(
            "That code is not right. Enter the 6-digit code your authenticator app shows now.",
            field=("input", "code"),
            code="INVALID_CODE",
        )
    token, token_hash = new_token(SESSION_PREFIX)
    expires_at = now + SESSION_LIFETIME
    try:
        async with db.transaction() as session:
            # Claim the time step: of two requests with one code, only one changes the row.
            claimed = await session.execute(
                update(User)
                .where(User.id == user.id)
                .where((User.totp_last_step.is_(None)) | (User.totp_last_step < step))
                .values(totp_last_step=step, totp_enabled=True, failed_attempts=0)
            )
            if rowcount(claimed) != 1:
                raise _Replayed
            used = await session.execute(
                update(LoginChallenge)
                .where(LoginChallenge.id == login_challenge.id, LoginChallenge.used_at.is_(None))
                .values(used_at=now)
            )
            if rowcount(used) != 1:
                raise _Replayed
            session.add(
                UserSession(
                    user_id=user.id,
                    token_hash=token_hash,
                    expires_at=expires_at,
                    client_address=client_address,
                )
            )
            if not user.totp_enabled:
                record(
                    session,
                    AuditKind.TOTP_ENROLLED,
                    actor_user_id=user.id,
                    subject_user_id=user.id,
                    organisation_id=user.organisation_id,
                    client_address=client_address,
                )
            record(
                session,
                AuditKind.LOGIN_SUCCEEDED,
                actor_user_id=user.id,
                subject_user_id=user.id,
                organisation_id=user.organisation_id,
                client_address=client_address,
            )
    except _Replayed:
        await _count_failure(db, user.id, client_address, "replayed code")
        raise InvalidInput(
            "This code has already been used. Wait for the next code and enter that one.",
            field=("input", "code"),
            code="INVALID_CODE",
        ) from None
    return NewSession(token, expires_at, user.id)


class _Replayed(Exception):
    pass


async def _count_failure(
    db: Database, user_id: uuid.UUID, client_address: str | None, reason: str
) -> None:
    """One more failure; the fifth locks the account for 15 minutes."""
    async with db.transaction() as session:
        failures = await session.scalar(
            update(User)
            .where(User.id == user_id)
            .values(failed_attempts=User.failed_attempts + 1)
            .returning(User.failed_attempts)
        )
        kind = (
            AuditKind.TOTP_REPLAYED
            if reason == "replayed code"
            else (AuditKind.TOTP_FAILED if reason != "password" else AuditKind.LOGIN_FAILED)
        )
        record(session, kind, subject_user_id=user_id, client_address=client_address, reason=reason)
        if failures is not None and failures >= MAX_FAILURES:
            await session.execute(
                update(User)
                .where(User.id == user_id)
                .values(failed_attempts=0, locked_until=utcnow() + LOCK_DURATION)
            )
            record(
                session,
                AuditKind.ACCOUNT_LOCKED,
                subject_user_id=user_id,
                client_address=client_address,
            )


async def logout(db: Database, viewer: Viewer) -> None:
    """End the viewer's session at once."""
    if viewer.session_id is None:
        raise InvalidState("Only a signed-in session can be logged out; revoke API tokens instead.")
    async with db.transaction() as session:
        await session.execute(
            update(UserSession)
            .where(UserSession.id == viewer.session_id, UserSession.ended_at.is_(None))
            .values(ended_at=utcnow())
        )
        record(
            session,
            AuditKind.SESSION_ENDED,
            actor_user_id=viewer.user_id,
            subject_user_id=viewer.user_id,
            organisation_id=viewer.organisation_id,
            client_address=viewer.client_address,
        )

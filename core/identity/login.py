"""Signing in: password, then a TOTP code from an authenticator app, then a session.

No email or SMS codes. Failed attempts slow the email address down (``core.identity.throttle``:
the same for addresses with and without an account, never a lock); a login challenge takes five
codes at most; a code is accepted once only; the session token is stored only as a hash and
lasts 14 days.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from core.db import Database, rowcount
from core.errors import DomainError, InvalidInput, InvalidState, RateLimited, Unauthenticated
from core.identity import passwords, throttle, totp
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
from core.notifications.realtime import sessions_ended
from core.observability.metrics import LOCKOUTS, LOGIN_FAILURES
from core.settings import Settings

#: TOTP codes one login challenge may try; then the person signs in again with the password.
MAX_CODE_ATTEMPTS = 5
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


def _wrong_credentials(wait_seconds: int) -> Unauthenticated:
    later = f" Wait {_seconds(wait_seconds)} before you try again." if wait_seconds else ""
    return Unauthenticated(WRONG_CREDENTIALS + later, code="INVALID_CREDENTIALS")


def _too_many_attempts(wait_seconds: int) -> RateLimited:
    """The answer for an address that must wait, whether or not an account has it."""
    return RateLimited(
        "There were too many attempts to sign in with this email address. Wait "
        f"{_seconds(wait_seconds)}, then try again."
    )


def _seconds(count: int) -> str:
    return "1 second" if count == 1 else f"{count} seconds"


async def login(
    db: Database, settings: Settings, *, email: str, password: str, client_address: str | None
) -> Challenge:
    """Check the password; return a short-lived challenge for the TOTP step."""
    # The attempt is counted for the email address before anything is checked, whether or not
    # an account has it: an address that must wait gets the same answer either way, and of
    # many concurrent wrong passwords only the allowed number is ever checked. The same
    # lookups and the same hashing work are done for every address.
    attempt = await throttle.claim(db, settings, email)
    async with db.session() as session:
        user = await session.scalar(select(User).where(User.email_key == email_key(email)))
    usable = user is not None and user.is_active and user.password_hash is not None
    subject = user.id if user is not None and usable else None
    if not isinstance(attempt, throttle.Attempt):
        LOGIN_FAILURES.labels("throttled").inc()
        await _record_failure(db, subject, client_address, "throttled", email)
        raise _too_many_attempts(attempt)
    ok = await passwords.verify_password(
        user.password_hash if usable and user is not None else None,
        password,
        fast=_fast(settings),
    )
    if not ok or not usable or user is None:
        LOGIN_FAILURES.labels("password" if usable else "unknown_account").inc()
        reason = "password" if usable else ("unknown email" if user is None else "inactive")
        await _record_failure(db, subject, client_address, reason, email)
        if attempt.failures == settings.sign_in_free_failures:
            LOCKOUTS.inc()
        raise _wrong_credentials(throttle.seconds_to_wait(settings, attempt.failures))
    token, token_hash = new_token(CHALLENGE_PREFIX)
    now = utcnow()
    async with db.transaction() as session:
        session.add(
            LoginChallenge(
                user_id=user.id, token_hash=token_hash, expires_at=now + CHALLENGE_LIFETIME
            )
        )
        # The attempt counted before the check succeeded: it is no failure.
        await throttle.succeeded(session, attempt)
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


async def _record_failure(
    db: Database,
    subject: uuid.UUID | None,
    client_address: str | None,
    reason: str,
    email: str,
) -> None:
    async with db.transaction() as session:
        record(
            session,
            AuditKind.LOGIN_FAILED,
            subject_user_id=subject,
            client_address=client_address,
            reason=reason,
            email=email[:320],
        )


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
    secret = decrypt_secret(settings.secret_key, user.totp_secret) if user.totp_secret else None
    if secret is None:
        raise InvalidState(
            "Set up an authenticator app first (enrolTotp), then enter its code.",
            field=("input", "code"),
        )
    # Counted before the code is checked (atomically): concurrent guesses on one challenge
    # cannot outnumber the attempts allowed.
    if not await _claim_code_attempt(db, login_challenge.id):
        raise Locked(
            "Too many wrong codes for this sign-in. Sign in again with your password, then "
            "enter the code your authenticator app shows.",
            field=("input", "code"),
        )
    step = totp.matching_step(secret, code)
    if step is None:
        await _count_failure(db, settings, user, client_address, "code")
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
                .values(totp_last_step=step, totp_enabled=True)
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
            await throttle.forget(session, settings, user.email)
            session.add(
                UserSession(
                    user_id=user.id,
                    token_hash=token_hash,
                    expires_at=expires_at,
                    last_seen_at=now,
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
        await _count_failure(db, settings, user, client_address, "replayed code")
        raise InvalidInput(
            "This code has already been used. Wait for the next code and enter that one.",
            field=("input", "code"),
            code="INVALID_CODE",
        ) from None
    return NewSession(token, expires_at, user.id)


class _Replayed(Exception):
    pass


async def _claim_code_attempt(db: Database, challenge_id: uuid.UUID) -> bool:
    """Count one code attempt on the challenge before it is checked, in one statement; False
    when the challenge has had its attempts."""
    async with db.transaction() as session:
        claimed = await session.execute(
            update(LoginChallenge)
            .where(
                LoginChallenge.id == challenge_id,
                LoginChallenge.code_attempts < MAX_CODE_ATTEMPTS,
            )
            .values(code_attempts=LoginChallenge.code_attempts + 1)
            .execution_options(synchronize_session=False)
        )
        return rowcount(claimed) == 1


async def _count_failure(
    db: Database, settings: Settings, user: User, client_address: str | None, reason: str
) -> None:
    """A wrong or replayed code (already counted on its challenge): audited, and one more
    failure of the address's sign-ins."""
    LOGIN_FAILURES.labels("totp").inc()
    async with db.transaction() as session:
        kind = AuditKind.TOTP_REPLAYED if reason == "replayed code" else AuditKind.TOTP_FAILED
        record(session, kind, subject_user_id=user.id, client_address=client_address, reason=reason)
        failures = await throttle.failed_code(session, settings, user.email)
    if failures == settings.sign_in_free_failures:
        LOCKOUTS.inc()


async def logout(db: Database, settings: Settings, viewer: Viewer) -> None:
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
    if viewer.user_id is not None:  # its open subscriptions check their session at once
        await sessions_ended(settings, viewer.user_id)

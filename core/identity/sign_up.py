"""A provider signs itself up: its organisation and first admin (PROVIDER_ADMIN, PROVIDER_USER).

The answer to ``signUpProvider`` never tells whether the address already has an account (audit
finding 9): for every valid sign-up the portal emails the address and answers the same. A new
address gets a one-time link (``acceptInvitation`` with the link's token and the password chosen
at sign-up creates the organisation and the account); an address that has an account gets a
notice that someone tried to register with it, and nothing is created. Only the mailbox's owner
learns which, and only they can complete a sign-up, so a stranger can neither probe addresses
nor hold an account in someone else's name.
"""

from __future__ import annotations

import uuid
from datetime import timedelta

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from core.db import Database, rowcount
from core.errors import InvalidInput
from core.identity import passwords
from core.identity.audit import AuditKind, record
from core.identity.emails import check_personal_email, email_key
from core.identity.members import check_password, clean_name, flush_unique, new_user
from core.identity.roles import OrganisationKind, Role
from core.identity.secrets import SIGN_UP_PREFIX, hash_token, new_token
from core.models import Organisation, PendingSignUp, ProviderRegistration, User
from core.models.base import utcnow
from core.notifications.kinds import SIGN_UP_EMAIL, SIGN_UP_NOTICE_EMAIL
from core.notifications.outbox import queue_email
from core.settings import Settings

SIGN_UP_LIFETIME = timedelta(days=2)

EXPIRED = (
    "This link has expired or was already used. Register again from the sign-up page, or sign "
    "in if you finished registering."
)


def is_sign_up_token(token: str) -> bool:
    return token.startswith(SIGN_UP_PREFIX)


async def sign_up_provider(
    db: Database,
    settings: Settings,
    *,
    organisation_name: str,
    name: str,
    email: str,
    password: str,
    client_address: str | None,
) -> None:
    """Check the answers, then email the address: a link to finish, or a notice that it has an
    account. Nothing in the outcome differs by whether the address has an account."""
    org_name = clean_name(organisation_name, ("input", "organisationName"), "Organisation name")
    person = clean_name(name, ("input", "name"))
    address = check_personal_email(email, settings.role_address_local_parts)
    check_password(password)
    password_hash = await passwords.hash_password(password, fast=settings.env == "test")
    async with db.transaction() as session:
        account = (
            await session.execute(
                select(User.id, User.email).where(User.email_key == email_key(address))
            )
        ).first()
        holder = account.id if account is not None else None
        if account is None:
            token, token_hash = new_token(SIGN_UP_PREFIX)
            session.add(
                PendingSignUp(
                    token_hash=token_hash,
                    organisation_name=org_name,
                    name=person,
                    email=address,
                    password_hash=password_hash,
                    expires_at=utcnow() + SIGN_UP_LIFETIME,
                )
            )
            _email_link(session, settings, address, person, org_name, token)
        else:
            _email_notice(session, settings, account.email, account.id)
        record(
            session,
            AuditKind.PROVIDER_SIGN_UP_REQUESTED,
            subject_user_id=holder,
            client_address=client_address,
            email=address,
            existing_account=holder is not None,
        )


def _email_link(
    session: AsyncSession, settings: Settings, address: str, person: str, org_name: str, token: str
) -> None:
    link = f"{settings.base_url}/finish-sign-up?token={token}"
    queue_email(
        session,
        recipient=address,
        subject="Finish registering your organisation on the placement portal",
        body=(
            f"Dear {person},\n\nYou asked to register {org_name} on the placement portal with "
            f"this email address.\n\nTo finish, open this link (it works once, for 2 days) and "
            f"enter the password you chose:\n{link}\n\nThen sign in and set up an "
            "authenticator app for the second step.\n\nIf you did not ask for this, ignore "
            "this email: nothing is created without the link.\n"
        ),
        kind=SIGN_UP_EMAIL,
        mail_domain=settings.mail_domain,
    )


def _email_notice(
    session: AsyncSession, settings: Settings, address: str, holder: uuid.UUID
) -> None:
    queue_email(
        session,
        recipient=address,
        subject="Someone tried to register on the placement portal with your email address",
        body=(
            "Someone asked to register a provider organisation on the placement portal with "
            "this email address. You already have an account, so nothing was created and "
            "nothing was changed.\n\nIf it was you, sign in here:\n"
            f"{settings.base_url}/sign-in\nIf you have forgotten your password, ask an "
            "administrator of your organisation (or the portal's operators) to set up your "
            "account again.\n\nIf it was not you, you need do nothing: your account is "
            "unchanged.\n"
        ),
        kind=SIGN_UP_NOTICE_EMAIL,
        mail_domain=settings.mail_domain,
        user_id=holder,
    )


async def confirm_sign_up(
    db: Database, settings: Settings, *, token: str, password: str, client_address: str | None
) -> User:
    """The sign-up link, with the password chosen at sign-up: the organisation (its registration
    NOT_SUBMITTED) and its first admin."""
    async with db.session() as session:
        pending = await session.scalar(
            select(PendingSignUp).where(PendingSignUp.token_hash == hash_token(token))
        )
    if pending is None or pending.confirmed_at is not None or pending.expires_at <= utcnow():
        raise InvalidInput(EXPIRED, field=("input", "token"), code="INVALID_STATE")
    if not await passwords.verify_password(
        pending.password_hash, password, fast=settings.env == "test"
    ):
        raise InvalidInput(
            "This is not the password you chose when you registered. Enter that one.",
            field=("input", "password"),
        )
    async with db.transaction() as session:
        claimed = await session.execute(
            update(PendingSignUp)
            .where(PendingSignUp.id == pending.id, PendingSignUp.confirmed_at.is_(None))
            .values(confirmed_at=utcnow())
        )
        if rowcount(claimed) != 1:
            raise InvalidInput(EXPIRED, field=("input", "token"), code="INVALID_STATE")
        organisation = Organisation(
            id=uuid.uuid4(),
            kind=OrganisationKind.PROVIDER.value,
            name=pending.organisation_name,
            enabled_categories=[],
        )
        session.add(organisation)
        # Its registration starts NOT_SUBMITTED, waiting for the spreadsheet.
        session.add(
            ProviderRegistration(
                organisation_id=organisation.id, status="NOT_SUBMITTED", details={}
            )
        )
        user = new_user(
            session,
            organisation_id=organisation.id,
            email=pending.email,
            name=pending.name,
            roles=[Role.PROVIDER_ADMIN, Role.PROVIDER_USER],
            password_hash=pending.password_hash,
        )
        # The address may have got an account since the sign-up: only the mailbox's owner
        # holds this link, so saying so tells no one else anything.
        await flush_unique(session)
        record(
            session,
            AuditKind.PROVIDER_SIGNED_UP,
            actor_user_id=user.id,
            subject_user_id=user.id,
            organisation_id=organisation.id,
            client_address=client_address,
        )
    return user

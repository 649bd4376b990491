"""Invitations: an admin invites a person into an organisation; the person accepts with a
password.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Sequence
from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from core.db import Database
from core.errors import InvalidInput, NotFound
from core.identity import passwords
from core.identity.audit import AuditKind, record
from core.identity.emails import check_personal_email
from core.identity.members import (
    check_grants,
    check_password,
    clean_name,
    email_is_free,
    flush_unique,
    new_user,
    roles_for,
)
from core.identity.roles import OrganisationKind, Role
from core.identity.secrets import INVITATION_PREFIX, hash_token, new_token
from core.identity.viewer import Viewer
from core.models import (
    Invitation,
    Organisation,
    User,
)
from core.models.base import utcnow
from core.notifications.kinds import INVITATION_EMAIL
from core.notifications.outbox import queue_email
from core.settings import Settings

INVITATION_LIFETIME = timedelta(days=7)


def invite(
    session: AsyncSession,
    settings: Settings,
    *,
    user: User,
    organisation: Organisation,
    invited_by: uuid.UUID | None,
) -> None:
    token, token_hash = new_token(INVITATION_PREFIX)
    session.add(
        Invitation(
            user_id=user.id,
            token_hash=token_hash,
            invited_by_id=invited_by,
            expires_at=utcnow() + INVITATION_LIFETIME,
        )
    )
    link = f"{settings.base_url}/accept-invitation?token={token}"
    queue_email(
        session,
        recipient=user.email,
        subject=f"You are invited to the placement portal for {organisation.name}",
        body=(
            f"Dear {user.name},\n\nAn account on the placement portal has been created for you "
            f"as a member of {organisation.name}.\n\nChoose your password here (the link works "
            f"once, for 7 days):\n{link}\n\nThen sign in with your email address and password, "
            "and set up an authenticator app for the second step.\n"
        ),
        kind=INVITATION_EMAIL,
        mail_domain=settings.mail_domain,
        user_id=user.id,
    )


async def add_invited_member(
    session: AsyncSession,
    settings: Settings,
    *,
    organisation: Organisation,
    email: str,
    name: str,
    roles: Sequence[Role],
    invited_by: uuid.UUID | None,
) -> User:
    """A new member of ``organisation`` without a password yet, and their invitation (by an
    admin's invitation, or an approved account request); CONFLICT when the email is taken."""
    await email_is_free(session, email)
    user = new_user(
        session,
        organisation_id=organisation.id,
        email=email,
        name=name,
        roles=roles,
        password_hash=None,
    )
    await flush_unique(session)
    invite(session, settings, user=user, organisation=organisation, invited_by=invited_by)
    return user


async def invite_user(
    db: Database,
    settings: Settings,
    viewer: Viewer,
    *,
    organisation_id: uuid.UUID,
    email: str,
    name: str,
    roles: Iterable[Role],
) -> User:
    """LA admins invite into their own LA; the platform into any organisation."""
    address = check_personal_email(email, settings.role_address_local_parts)
    person = clean_name(name, ("input", "name"))
    async with db.transaction() as session:
        organisation = await session.get(Organisation, organisation_id)
        if organisation is None or not (
            viewer.is_platform_admin or organisation.id == viewer.organisation_id
        ):
            raise NotFound(
                "No organisation with this id was found.", field=("input", "organisationId")
            )
        wanted = roles_for(OrganisationKind(organisation.kind), roles)
        check_grants(viewer, wanted)
        user = await add_invited_member(
            session,
            settings,
            organisation=organisation,
            email=address,
            name=person,
            roles=wanted,
            invited_by=viewer.user_id,
        )
        record(
            session,
            AuditKind.USER_INVITED,
            actor_user_id=viewer.user_id,
            subject_user_id=user.id,
            organisation_id=organisation.id,
            client_address=viewer.client_address,
            roles=[r.value for r in wanted],
        )
    return user


async def accept_invitation(
    db: Database, settings: Settings, *, token: str, password: str, client_address: str | None
) -> User:
    check_password(password)
    password_hash = await passwords.hash_password(password, fast=settings.env == "test")
    async with db.transaction() as session:
        invitation = await session.scalar(
            select(Invitation).where(Invitation.token_hash == hash_token(token)).with_for_update()
        )
        if (
            invitation is None
            or invitation.accepted_at is not None
            or invitation.expires_at <= utcnow()
        ):
            raise InvalidInput(
                "This invitation link has expired or was already used. Ask your administrator "
                "for a new invitation.",
                field=("input", "token"),
                code="INVALID_STATE",
            )
        invitation.accepted_at = utcnow()
        user = await session.get(User, invitation.user_id)
        assert user is not None
        user.password_hash = password_hash
        user.is_active = True
        record(
            session,
            AuditKind.INVITATION_ACCEPTED,
            actor_user_id=user.id,
            subject_user_id=user.id,
            organisation_id=user.organisation_id,
            client_address=client_address,
        )
    return user

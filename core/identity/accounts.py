"""Organisations and accounts: sign-up, invitations, account requests, roles."""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterable, Sequence
from datetime import timedelta

from sqlalchemy import delete, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from core.db import Database
from core.errors import Conflict, Forbidden, InvalidInput, InvalidState, NotFound, Problem, invalid
from core.identity import passwords
from core.identity.audit import AuditKind, record
from core.identity.emails import check_personal_email, email_key
from core.identity.roles import ADMIN_ROLES, ROLES_BY_KIND, OrganisationKind, Role
from core.identity.secrets import INVITATION_PREFIX, hash_token, new_token
from core.identity.viewer import Viewer
from core.models import (
    AccountRequest,
    Invitation,
    Organisation,
    User,
    UserRole,
)
from core.models.base import utcnow
from core.notifications.kinds import INVITATION_EMAIL
from core.notifications.outbox import queue_email
from core.plugins.registry import CategoryRegistry
from core.settings import Settings

INVITATION_LIFETIME = timedelta(days=7)
PLATFORM_NAME = "Placement portal operator"
_CODE = re.compile(r"^[A-Z]{2,8}$")


def _name(value: str, field: tuple[str, ...], what: str = "Name") -> str:
    cleaned = " ".join(value.split())
    if not cleaned:
        raise InvalidInput(f"{what} is required.", field=field)
    if len(cleaned) > 200:
        raise InvalidInput(f"{what} must be at most 200 characters.", field=field)
    return cleaned


def _password(password: str) -> None:
    problem = passwords.password_problem(password)
    if problem:
        raise InvalidInput(problem, field=("input", "password"))


def _roles_for(kind: OrganisationKind, wanted: Iterable[Role | str]) -> list[Role]:
    roles = sorted({Role(r) for r in wanted})
    if not roles:
        raise InvalidInput("Give the user at least one role.", field=("input", "roles"))
    allowed = ROLES_BY_KIND[kind]
    wrong = [r.value for r in roles if r not in allowed]
    if wrong:
        raise InvalidInput(
            f"{', '.join(wrong)} cannot be held in a {kind.value.replace('_', ' ').lower()} "
            f"organisation; choose from {', '.join(sorted(r.value for r in allowed))}.",
            field=("input", "roles"),
        )
    return roles


#: Roles only a platform admin grants: PLATFORM_ADMIN, and CATEGORY_LEAD, whose settings change
#: matching for every LA (so an LA admin may not make anyone, themselves included, a lead).
PLATFORM_GRANTED = frozenset({Role.PLATFORM_ADMIN, Role.CATEGORY_LEAD})


def _check_grants(viewer: Viewer, wanted: Iterable[Role], held: Iterable[str] = ()) -> None:
    """Refuse a role the viewer may not grant; one the user holds already may be kept."""
    if viewer.is_platform_admin:
        return
    granted = sorted(r.value for r in set(wanted) & PLATFORM_GRANTED if r.value not in set(held))
    if granted:
        raise Forbidden(
            f"Only a platform admin grants {', '.join(granted)}.", field=("input", "roles")
        )


async def _email_is_free(session: AsyncSession, email: str) -> None:
    taken = await session.scalar(select(User.id).where(User.email_key == email_key(email)))
    if taken is not None:
        raise Conflict(
            "An account with this email address already exists.", field=("input", "email")
        )


def _new_user(
    session: AsyncSession,
    *,
    organisation_id: uuid.UUID,
    email: str,
    name: str,
    roles: Sequence[Role],
    password_hash: str | None,
) -> User:
    user = User(
        id=uuid.uuid4(),
        organisation_id=organisation_id,
        email=email,
        email_key=email_key(email),
        name=name,
        password_hash=password_hash,
        email_opt_outs=[],
    )
    session.add(user)
    for role in roles:
        session.add(UserRole(user_id=user.id, role=role.value))
    return user


async def _flush_unique(session: AsyncSession) -> None:
    """Flush; a unique email taken by a concurrent request becomes CONFLICT."""
    try:
        await session.flush()
    except IntegrityError:
        raise Conflict(
            "An account with this email address already exists.", field=("input", "email")
        ) from None


# ---------------------------------------------------------------- sign-up and organisations


def _categories(registry: CategoryRegistry, categories: Iterable[str]) -> list[str]:
    values = list(dict.fromkeys(str(c) for c in categories))
    unknown = [c for c in values if c not in registry]
    if unknown:
        raise InvalidInput(
            f"Unknown care categories: {', '.join(unknown)}.", field=("input", "categories")
        )
    return [c for c in registry.values() if c in values]


async def create_local_authority(
    db: Database,
    registry: CategoryRegistry,
    viewer: Viewer,
    *,
    name: str,
    code: str,
    enabled_categories: Iterable[str],
) -> Organisation:
    la_name = _name(name, ("input", "name"))
    la_code = code.strip().upper()
    if not _CODE.match(la_code):
        raise InvalidInput(
            f'Code: found "{code}", expected 2 to 8 letters (e.g. BIR); it starts each '
            "referral reference.",
            field=("input", "code"),
        )
    categories = _categories(registry, enabled_categories)
    async with db.transaction() as session:
        clash = await session.scalar(
            select(Organisation.id).where(
                Organisation.kind == OrganisationKind.LOCAL_AUTHORITY.value,
                (func.lower(Organisation.name) == la_name.lower()) | (Organisation.code == la_code),
            )
        )
        if clash is not None:
            raise Conflict(
                "A local authority with this name or code already exists.", field=("input", "code")
            )
        organisation = Organisation(
            id=uuid.uuid4(),
            kind=OrganisationKind.LOCAL_AUTHORITY.value,
            name=la_name,
            code=la_code,
            enabled_categories=categories,
        )
        session.add(organisation)
    return organisation


async def set_enabled_categories(
    db: Database,
    registry: CategoryRegistry,
    viewer: Viewer,
    *,
    organisation_id: uuid.UUID,
    categories: Iterable[str],
) -> Organisation:
    values = _categories(registry, categories)
    async with db.transaction() as session:
        organisation = await session.get(Organisation, organisation_id, with_for_update=True)
        if organisation is None or organisation.kind != OrganisationKind.LOCAL_AUTHORITY.value:
            raise NotFound(
                "No local authority with this id was found.", field=("input", "organisationId")
            )
        organisation.enabled_categories = values
    return organisation


async def platform_organisation(session: AsyncSession) -> Organisation:
    """The platform operator's organisation, created on first use."""
    organisation = await session.scalar(
        select(Organisation).where(Organisation.kind == OrganisationKind.PLATFORM.value)
    )
    if organisation is None:
        organisation = Organisation(
            id=uuid.uuid4(),
            kind=OrganisationKind.PLATFORM.value,
            name=PLATFORM_NAME,
            enabled_categories=[],
        )
        session.add(organisation)
        await session.flush()
    return organisation


async def create_platform_admin(
    db: Database, settings: Settings, *, email: str, name: str, password: str
) -> User:
    """``portal create-admin``: a PLATFORM_ADMIN in the platform organisation."""
    address = check_personal_email(email, settings.role_address_local_parts)
    person = _name(name, ("input", "name"))
    _password(password)
    password_hash = await passwords.hash_password(password, fast=settings.env == "test")
    async with db.transaction() as session:
        await _email_is_free(session, address)
        organisation = await platform_organisation(session)
        user = _new_user(
            session,
            organisation_id=organisation.id,
            email=address,
            name=person,
            roles=[Role.PLATFORM_ADMIN],
            password_hash=password_hash,
        )
        await _flush_unique(session)
    return user


# ---------------------------------------------------------------- invitations


def _invite(
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
    person = _name(name, ("input", "name"))
    async with db.transaction() as session:
        organisation = await session.get(Organisation, organisation_id)
        if organisation is None or not (
            viewer.is_platform_admin or organisation.id == viewer.organisation_id
        ):
            raise NotFound(
                "No organisation with this id was found.", field=("input", "organisationId")
            )
        wanted = _roles_for(OrganisationKind(organisation.kind), roles)
        _check_grants(viewer, wanted)
        await _email_is_free(session, address)
        user = _new_user(
            session,
            organisation_id=organisation.id,
            email=address,
            name=person,
            roles=wanted,
            password_hash=None,
        )
        await _flush_unique(session)
        _invite(session, settings, user=user, organisation=organisation, invited_by=viewer.user_id)
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
    _password(password)
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


# ---------------------------------------------------------------- roles


async def set_user_roles(
    db: Database, viewer: Viewer, *, user_id: uuid.UUID, roles: Iterable[Role]
) -> User:
    async with db.transaction() as session:
        user = await session.get(User, user_id, with_for_update=True)
        if user is None or not (
            viewer.is_platform_admin or user.organisation_id == viewer.organisation_id
        ):
            raise NotFound("No user with this id was found.", field=("input", "userId"))
        organisation = await session.get(Organisation, user.organisation_id)
        assert organisation is not None
        wanted = _roles_for(OrganisationKind(organisation.kind), roles)
        before = sorted(
            await session.scalars(select(UserRole.role).where(UserRole.user_id == user.id))
        )
        _check_grants(viewer, wanted, before)
        admin_before = set(before) & {r.value for r in ADMIN_ROLES}
        admin_after = {r.value for r in wanted} & {r.value for r in ADMIN_ROLES}
        if admin_before and not admin_after:
            others = await session.scalar(
                select(func.count())
                .select_from(UserRole)
                .join(User, User.id == UserRole.user_id)
                .where(
                    User.organisation_id == user.organisation_id,
                    User.id != user.id,
                    User.is_active.is_(True),
                    UserRole.role.in_(admin_before),
                )
            )
            if not others:
                raise InvalidState(
                    "This is the organisation's last administrator: give another member the "
                    "administrator role first.",
                    field=("input", "roles"),
                )
        await session.execute(delete(UserRole).where(UserRole.user_id == user.id))
        for role in wanted:
            session.add(UserRole(user_id=user.id, role=role.value))
        record(
            session,
            AuditKind.ROLES_CHANGED,
            actor_user_id=viewer.user_id,
            subject_user_id=user.id,
            organisation_id=user.organisation_id,
            client_address=viewer.client_address,
            before=before,
            after=[r.value for r in wanted],
        )
    return user


# ---------------------------------------------------------------- account requests


async def request_account(
    db: Database,
    settings: Settings,
    viewer: Viewer,
    *,
    email: str,
    name: str,
    roles: Iterable[Role],
) -> AccountRequest:
    """A provider admin asks for one more account: one person per request."""
    address = check_personal_email(email, settings.role_address_local_parts)
    person = _name(name, ("input", "name"))
    wanted = _roles_for(OrganisationKind.PROVIDER, roles)
    async with db.transaction() as session:
        await _email_is_free(session, address)
        pending = await session.scalar(
            select(AccountRequest.id).where(
                func.lower(AccountRequest.email) == email_key(address),
                AccountRequest.status == "PENDING",
            )
        )
        if pending is not None:
            raise Conflict(
                "An account for this email address has already been requested.",
                field=("input", "email"),
            )
        request = AccountRequest(
            id=uuid.uuid4(),
            organisation_id=viewer.organisation_id,
            email=address,
            name=person,
            roles=[r.value for r in wanted],
            status="PENDING",
            requested_by_id=viewer.user_id,
        )
        session.add(request)
        record(
            session,
            AuditKind.ACCOUNT_REQUESTED,
            actor_user_id=viewer.user_id,
            organisation_id=viewer.organisation_id,
            client_address=viewer.client_address,
            email=address,
        )
    return request


async def decide_account_request(
    db: Database,
    settings: Settings,
    viewer: Viewer,
    *,
    request_id: uuid.UUID,
    approve: bool,
    reason: str | None,
) -> AccountRequest:
    """The managing LA's admin, or the platform, approves (inviting the person) or rejects."""
    async with db.transaction() as session:
        request = await session.get(AccountRequest, request_id, with_for_update=True)
        organisation = await session.get(Organisation, request.organisation_id) if request else None
        if (
            request is None
            or organisation is None
            or not (
                viewer.is_platform_admin
                or organisation.managing_local_authority_id == viewer.organisation_id
            )
        ):
            raise NotFound("No account request with this id was found.", field=("input", "id"))
        if request.status != "PENDING":
            raise InvalidState(f"This request was already decided ({request.status}).")
        cleaned_reason = (reason or "").strip() or None
        if not approve and not cleaned_reason:
            raise invalid(
                [
                    Problem(
                        "Give a reason for rejecting the request.", "INVALID", ("input", "reason")
                    )
                ]
            )
        request.status = "APPROVED" if approve else "REJECTED"
        request.decided_by_id = viewer.user_id
        request.decided_at = utcnow()
        request.reason = cleaned_reason
        if approve:
            await _email_is_free(session, request.email)
            user = _new_user(
                session,
                organisation_id=organisation.id,
                email=request.email,
                name=request.name,
                roles=[Role(r) for r in request.roles],
                password_hash=None,
            )
            await _flush_unique(session)
            _invite(
                session, settings, user=user, organisation=organisation, invited_by=viewer.user_id
            )
        record(
            session,
            AuditKind.ACCOUNT_REQUEST_DECIDED,
            actor_user_id=viewer.user_id,
            organisation_id=organisation.id,
            client_address=viewer.client_address,
            status=request.status,
        )
    return request

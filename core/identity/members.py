"""The members of an organisation: what every change to someone's account checks (name,
password, roles the organisation holds and the viewer may grant, a free email address), how a
member is added, and the member an admin may act on.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Sequence

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from core.errors import Conflict, Forbidden, InvalidInput, InvalidState, NotFound
from core.identity import passwords
from core.identity.emails import email_key
from core.identity.roles import ROLES_BY_KIND, OrganisationKind, Role
from core.identity.viewer import Viewer
from core.models import (
    User,
    UserRole,
)


def clean_name(value: str, field: tuple[str, ...], what: str = "Name") -> str:
    cleaned = " ".join(value.split())
    if not cleaned:
        raise InvalidInput(f"{what} is required.", field=field)
    if len(cleaned) > 200:
        raise InvalidInput(f"{what} must be at most 200 characters.", field=field)
    return cleaned


def check_password(password: str) -> None:
    problem = passwords.password_problem(password)
    if problem:
        raise InvalidInput(problem, field=("input", "password"))


def roles_for(kind: OrganisationKind, wanted: Iterable[Role | str]) -> list[Role]:
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


def check_grants(viewer: Viewer, wanted: Iterable[Role], held: Iterable[str] = ()) -> None:
    """Refuse a role the viewer may not grant; one the user holds already may be kept."""
    if viewer.is_platform_admin:
        return
    granted = sorted(r.value for r in set(wanted) & PLATFORM_GRANTED if r.value not in set(held))
    if granted:
        raise Forbidden(
            f"Only a platform admin grants {', '.join(granted)}.", field=("input", "roles")
        )


async def email_is_free(session: AsyncSession, email: str) -> None:
    taken = await session.scalar(select(User.id).where(User.email_key == email_key(email)))
    if taken is not None:
        raise Conflict(
            "An account with this email address already exists.", field=("input", "email")
        )


def new_user(
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


async def flush_unique(session: AsyncSession) -> None:
    """Flush; a unique email taken by a concurrent request becomes CONFLICT."""
    try:
        await session.flush()
    except IntegrityError:
        raise Conflict(
            "An account with this email address already exists.", field=("input", "email")
        ) from None


async def member(
    session: AsyncSession, viewer: Viewer, user_id: uuid.UUID, field: tuple[str, ...]
) -> User:
    """The user, locked, if the viewer administers their organisation (or is the platform)."""
    user = await session.get(User, user_id, with_for_update=True)
    if user is None or not (
        viewer.is_platform_admin or user.organisation_id == viewer.organisation_id
    ):
        raise NotFound("No user with this id was found.", field=field)
    return user


async def refuse_last_admin(
    session: AsyncSession, user: User, admin: Iterable[str], field: tuple[str, ...]
) -> None:
    """INVALID_STATE when no other active member of ``user``'s organisation holds one of the
    ``admin`` roles ``user`` is about to lose (by a change of roles, or by leaving)."""
    others = await session.scalar(
        select(func.count())
        .select_from(UserRole)
        .join(User, User.id == UserRole.user_id)
        .where(
            User.organisation_id == user.organisation_id,
            User.id != user.id,
            User.is_active.is_(True),
            UserRole.role.in_(admin),
        )
    )
    if not others:
        raise InvalidState(
            "This is the organisation's last administrator: give another member the "
            "administrator role first.",
            field=field,
        )

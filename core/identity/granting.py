"""The roles a member holds, changed by an admin of their organisation (or the platform)."""

from __future__ import annotations

import uuid
from collections.abc import Iterable

from sqlalchemy import delete, select

from core.db import Database
from core.identity.audit import AuditKind, record
from core.identity.members import (
    check_grants,
    member,
    refuse_last_admin,
    roles_for,
)
from core.identity.roles import ADMIN_ROLES, OrganisationKind, Role
from core.identity.viewer import Viewer
from core.models import (
    Organisation,
    User,
    UserRole,
)


async def set_user_roles(
    db: Database, viewer: Viewer, *, user_id: uuid.UUID, roles: Iterable[Role]
) -> User:
    async with db.transaction() as session:
        user = await member(session, viewer, user_id, ("input", "userId"))
        organisation = await session.get(Organisation, user.organisation_id)
        assert organisation is not None
        wanted = roles_for(OrganisationKind(organisation.kind), roles)
        before = sorted(
            await session.scalars(select(UserRole.role).where(UserRole.user_id == user.id))
        )
        check_grants(viewer, wanted, before)
        admin_before = set(before) & {r.value for r in ADMIN_ROLES}
        admin_after = {r.value for r in wanted} & {r.value for r in ADMIN_ROLES}
        if admin_before and not admin_after:
            await refuse_last_admin(session, user, admin_before, ("input", "roles"))
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

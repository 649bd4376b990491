"""People who leave: an admin deactivates a person, which ends every session and open
subscription of theirs at once; reactivating lets them sign in again (contract section 15)."""

from __future__ import annotations

import uuid

from sqlalchemy import select, update

from core.db import Database
from core.errors import InvalidState
from core.identity.audit import AuditKind, record
from core.identity.members import member, refuse_last_admin
from core.identity.roles import ADMIN_ROLES
from core.identity.viewer import Viewer
from core.models import LoginChallenge, User, UserRole, UserSession
from core.models.base import utcnow
from core.notifications.realtime import sessions_ended
from core.settings import Settings

_FIELD = ("input", "userId")


async def deactivate_user(
    db: Database, settings: Settings, viewer: Viewer, *, user_id: uuid.UUID
) -> User:
    async with db.transaction() as session:
        user = await member(session, viewer, user_id, _FIELD)
        if user.id == viewer.user_id:
            raise InvalidState(
                "You cannot deactivate yourself: ask another administrator.", field=_FIELD
            )
        if user.is_active:
            roles = set(
                await session.scalars(select(UserRole.role).where(UserRole.user_id == user.id))
            )
            admin = roles & {r.value for r in ADMIN_ROLES}
            if admin:
                await refuse_last_admin(session, user, admin, _FIELD)
            now = utcnow()
            user.is_active = False
            await session.execute(
                update(UserSession)
                .where(UserSession.user_id == user.id, UserSession.ended_at.is_(None))
                .values(ended_at=now)
            )
            await session.execute(
                update(LoginChallenge)
                .where(LoginChallenge.user_id == user.id, LoginChallenge.used_at.is_(None))
                .values(used_at=now)
            )
            record(
                session,
                AuditKind.USER_DEACTIVATED,
                actor_user_id=viewer.user_id,
                subject_user_id=user.id,
                organisation_id=user.organisation_id,
                client_address=viewer.client_address,
            )
    await sessions_ended(settings, user.id)
    return user


async def reactivate_user(
    db: Database, settings: Settings, viewer: Viewer, *, user_id: uuid.UUID
) -> User:
    async with db.transaction() as session:
        user = await member(session, viewer, user_id, _FIELD)
        if not user.is_active:
            user.is_active = True
            record(
                session,
                AuditKind.USER_REACTIVATED,
                actor_user_id=viewer.user_id,
                subject_user_id=user.id,
                organisation_id=user.organisation_id,
                client_address=viewer.client_address,
            )
    return user

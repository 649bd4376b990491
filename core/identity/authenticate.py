"""From a bearer token or session cookie to a :class:`Viewer` (or nobody)."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import bindparam, func, or_, select, update

from core.db import Database, DriverSelect
from core.identity.roles import OrganisationKind, Role
from core.identity.secrets import API_TOKEN_PREFIX, SESSION_PREFIX, hash_token
from core.identity.viewer import Viewer
from core.models import ApiToken, Organisation, User, UserRole, UserSession
from core.models.base import utcnow

#: ``ApiToken.lastUsedAt`` is written at most this often, not on every request.
LAST_USED_RESOLUTION = timedelta(minutes=1)
#: ``UserSession.last_seen_at`` (the idle timeout's clock) likewise, at most every 5 minutes:
#: the idle timeout is exact to within that.
LAST_SEEN_RESOLUTION = timedelta(minutes=5)


async def authenticate(
    db: Database, token: str | None, client_address: str | None, *, idle: timedelta
) -> Viewer | None:
    """The viewer behind ``token``; None for nobody, an ended, expired or idle session
    (unused for ``idle``), a deactivated person, or a revoked or expired API token."""
    if not token:
        return None
    if token.startswith(SESSION_PREFIX):
        return await _session_viewer(db, token, client_address, idle)
    if token.startswith(API_TOKEN_PREFIX):
        return await _api_token_viewer(db, token, client_address)
    return None


#: Built once (it runs on every request, at the driver on PostgreSQL); the values are
#: bound parameters.
_SESSION_VIEWER = (
    select(
        UserSession.id,
        User.id,
        User.organisation_id,
        Organisation.kind,
        UserRole.role,
        UserSession.last_seen_at,
    )
    .join(User, User.id == UserSession.user_id)
    .join(Organisation, Organisation.id == User.organisation_id)
    .outerjoin(UserRole, UserRole.user_id == User.id)
    .where(
        UserSession.token_hash == bindparam("token_hash", type_=UserSession.token_hash.type),
        UserSession.ended_at.is_(None),
        UserSession.expires_at > bindparam("now", type_=UserSession.expires_at.type),
        User.is_active.is_(True),
        func.coalesce(UserSession.last_seen_at, UserSession.created_at)
        > bindparam("idle_since", type_=UserSession.expires_at.type),
    )
)


_SESSION_VIEWER_AT_DRIVER = DriverSelect(_SESSION_VIEWER)


async def _session_viewer(
    db: Database, token: str, client_address: str | None, idle: timedelta
) -> Viewer | None:
    """One statement: the session, its user, organisation and roles (a row per role)."""
    now = utcnow()
    async with db.connection() as connection:
        rows = await _SESSION_VIEWER_AT_DRIVER.all(
            connection, {"token_hash": hash_token(token), "now": now, "idle_since": now - idle}
        )
    if not rows:
        return None
    session_id, user_id, organisation_id, kind, _, last_seen_at = rows[0]
    if last_seen_at is None or now - last_seen_at >= LAST_SEEN_RESOLUTION:
        async with db.transaction() as session:
            await session.execute(
                update(UserSession).where(UserSession.id == session_id).values(last_seen_at=now)
            )
    return Viewer(
        organisation_id=organisation_id,
        organisation_kind=OrganisationKind(kind),
        roles=frozenset(Role(row[4]) for row in rows if row[4] is not None),
        user_id=user_id,
        session_id=session_id,
        client_address=client_address,
    )


#: Built once, like :data:`_SESSION_VIEWER`.
_API_TOKEN_VIEWER = DriverSelect(
    select(ApiToken.id, ApiToken.organisation_id, ApiToken.last_used_at)
    .join(Organisation, Organisation.id == ApiToken.organisation_id)
    .where(
        ApiToken.token_hash == bindparam("token_hash", type_=ApiToken.token_hash.type),
        ApiToken.revoked_at.is_(None),
        or_(
            ApiToken.expires_at.is_(None),
            ApiToken.expires_at > bindparam("now", type_=ApiToken.expires_at.type),
        ),
        Organisation.kind == bindparam("kind", type_=Organisation.kind.type),
    )
)


async def _api_token_viewer(db: Database, token: str, client_address: str | None) -> Viewer | None:
    """One statement, on the request's connection (which the list read next shares)."""
    now = utcnow()
    async with db.connection() as connection:
        rows = await _API_TOKEN_VIEWER.all(
            connection,
            {
                "token_hash": hash_token(token),
                "now": now,
                "kind": OrganisationKind.LOCAL_AUTHORITY.value,
            },
        )
    row = rows[0] if rows else None
    if row is None:
        return None
    token_id, organisation_id, last_used_at = row
    if last_used_at is None or now - last_used_at >= LAST_USED_RESOLUTION:
        async with db.transaction() as session:
            await session.execute(
                update(ApiToken).where(ApiToken.id == token_id).values(last_used_at=now)
            )
    return Viewer(
        organisation_id=organisation_id,
        organisation_kind=OrganisationKind.LOCAL_AUTHORITY,
        roles=frozenset({Role.LA_CASEWORKER}),
        api_token_id=token_id,
        client_address=client_address,
    )

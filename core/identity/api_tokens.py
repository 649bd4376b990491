"""API tokens for an LA's case-management system: shown once, stored as a hash."""

from __future__ import annotations

import uuid
from datetime import timedelta

from sqlalchemy import select

from core.db import Database
from core.errors import InvalidInput, NotFound
from core.identity.audit import AuditKind, record
from core.identity.secrets import API_TOKEN_PREFIX, new_token
from core.identity.viewer import Viewer
from core.models import ApiToken
from core.models.base import utcnow
from core.settings import Settings


async def create_api_token(
    db: Database,
    settings: Settings,
    viewer: Viewer,
    *,
    name: str,
    expires_in_days: int | None = None,
) -> tuple[str, ApiToken]:
    """A token of the viewer's LA, expiring after ``expires_in_days`` (at most, and by default,
    ``api_token_max_days``): tokens never live forever."""
    longest = settings.api_token_max_days
    days = longest if expires_in_days is None else expires_in_days
    if not 1 <= days <= longest:
        raise InvalidInput(
            f"A token lives from 1 to {longest} days; {days} was asked for.",
            field=("input", "expiresInDays"),
        )
    label = " ".join(name.split())
    if not label or len(label) > 200:
        raise InvalidInput(
            "Name the token (at most 200 characters), e.g. after the system that will use it.",
            field=("input", "name"),
        )
    token, token_hash = new_token(API_TOKEN_PREFIX)
    async with db.transaction() as session:
        api_token = ApiToken(
            id=uuid.uuid4(),
            organisation_id=viewer.organisation_id,
            name=label,
            token_hash=token_hash,
            created_by_id=viewer.user_id,
            created_at=utcnow(),
            expires_at=utcnow() + timedelta(days=days),
        )
        session.add(api_token)
        record(
            session,
            AuditKind.API_TOKEN_CREATED,
            actor_user_id=viewer.user_id,
            organisation_id=viewer.organisation_id,
            client_address=viewer.client_address,
            token_id=str(api_token.id),
            name=label,
        )
    return token, api_token


async def revoke_api_token(db: Database, viewer: Viewer, *, token_id: uuid.UUID) -> None:
    async with db.transaction() as session:
        api_token = await session.scalar(
            select(ApiToken).where(ApiToken.id == token_id).with_for_update()
        )
        if api_token is None or not (
            viewer.is_platform_admin or api_token.organisation_id == viewer.organisation_id
        ):
            raise NotFound("No API token with this id was found.", field=("input", "id"))
        if api_token.revoked_at is None:
            api_token.revoked_at = utcnow()
            record(
                session,
                AuditKind.API_TOKEN_REVOKED,
                actor_user_id=viewer.user_id,
                organisation_id=api_token.organisation_id,
                client_address=viewer.client_address,
                token_id=str(api_token.id),
            )


async def api_tokens_of(db: Database, viewer: Viewer) -> list[ApiToken]:
    """``apiTokens``: the viewer's LA's tokens that are not revoked (expired ones included, so
    that they can be seen and revoked), newest first; never their secrets."""
    async with db.session() as session:
        return list(
            await session.scalars(
                select(ApiToken)
                .where(
                    ApiToken.organisation_id == viewer.organisation_id,
                    ApiToken.revoked_at.is_(None),
                )
                .order_by(ApiToken.created_at.desc(), ApiToken.id)
            )
        )

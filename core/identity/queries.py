"""Bulk reads for the identity types: one statement per batch, results in key order."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from operator import attrgetter

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from core.identity.roles import OrganisationKind, Role
from core.identity.viewer import Viewer
from core.keyed import groups, one_each
from core.models import AccountRequest, Organisation, SigningDelegation, User, UserRole


async def organisations_by_ids(
    session: AsyncSession, ids: Sequence[uuid.UUID]
) -> list[Organisation | None]:
    return one_each(
        ids, await session.scalars(select(Organisation).where(Organisation.id.in_(ids)))
    )


async def users_by_ids(session: AsyncSession, ids: Sequence[uuid.UUID]) -> list[User | None]:
    return one_each(ids, await session.scalars(select(User).where(User.id.in_(ids))))


async def roles_by_user_ids(session: AsyncSession, ids: Sequence[uuid.UUID]) -> list[list[str]]:
    return groups(
        ids,
        await session.execute(
            select(UserRole.user_id, UserRole.role)
            .where(UserRole.user_id.in_(ids))
            .order_by(UserRole.role)
        ),
    )


async def members_by_organisation_ids(
    session: AsyncSession, ids: Sequence[uuid.UUID]
) -> list[list[User]]:
    return groups(
        ids,
        await session.scalars(
            select(User).where(User.organisation_id.in_(ids)).order_by(User.name, User.email_key)
        ),
        key=attrgetter("organisation_id"),
    )


async def delegates_by_signatory_ids(
    session: AsyncSession, ids: Sequence[uuid.UUID]
) -> list[list[User]]:
    return groups(
        ids,
        await session.execute(
            select(SigningDelegation.signatory_id, User)
            .join(User, User.id == SigningDelegation.delegate_id)
            .where(SigningDelegation.signatory_id.in_(ids), SigningDelegation.revoked_at.is_(None))
            .order_by(User.name)
        ),
    )


async def organisations_for(
    session: AsyncSession, viewer: Viewer, kind: str | None
) -> list[Organisation]:
    """The organisations ``viewer`` may see, of ``kind`` if given, by name."""
    statement = select(Organisation).order_by(Organisation.kind, Organisation.name)
    if kind is not None:
        statement = statement.where(Organisation.kind == kind)
    if not (
        viewer.is_platform_admin or (viewer.is_local_authority and not viewer.is_signatory_only)
    ):
        statement = statement.where(
            (Organisation.kind != OrganisationKind.PROVIDER.value)
            | (Organisation.id == viewer.organisation_id)
        )
    return list(await session.scalars(statement))


async def account_requests_for(session: AsyncSession, viewer: Viewer) -> list[AccountRequest]:
    """Platform: all; an LA admin: those of the providers it manages; a provider admin: its own."""
    statement = select(AccountRequest).order_by(AccountRequest.created_at.desc())
    if not viewer.is_platform_admin:
        if viewer.has(Role.LA_ADMIN):
            managed = select(Organisation.id).where(
                Organisation.managing_local_authority_id == viewer.organisation_id
            )
            statement = statement.where(AccountRequest.organisation_id.in_(managed))
        else:
            statement = statement.where(AccountRequest.organisation_id == viewer.organisation_id)
    return list(await session.scalars(statement))

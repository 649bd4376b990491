"""Bulk reads and scoped lists for registrations and homes."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from operator import attrgetter

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from core.identity.roles import Role
from core.identity.viewer import Viewer
from core.keyed import groups, in_key_order, one_each
from core.models import Home, Organisation, ProviderRegistration


async def registrations_by_ids(
    session: AsyncSession, ids: Sequence[uuid.UUID]
) -> list[ProviderRegistration | None]:
    rows = {
        r.id: r
        for r in await session.scalars(
            select(ProviderRegistration).where(ProviderRegistration.id.in_(ids))
        )
    }
    return in_key_order(ids, rows)


async def registrations_by_organisation_ids(
    session: AsyncSession, ids: Sequence[uuid.UUID]
) -> list[ProviderRegistration | None]:
    rows = {
        r.organisation_id: r
        for r in await session.scalars(
            select(ProviderRegistration).where(ProviderRegistration.organisation_id.in_(ids))
        )
    }
    return in_key_order(ids, rows)


async def live_homes_by_registration_ids(
    session: AsyncSession, ids: Sequence[uuid.UUID]
) -> list[list[Home]]:
    """Each registration's homes that are not retired, in spreadsheet order."""
    return groups(
        ids,
        await session.scalars(
            select(Home)
            .where(Home.registration_id.in_(ids), Home.retired_at.is_(None))
            .order_by(Home.row_number)
        ),
        key=attrgetter("registration_id"),
    )


async def homes_by_ids(session: AsyncSession, ids: Sequence[uuid.UUID]) -> list[Home | None]:
    return one_each(ids, await session.scalars(select(Home).where(Home.id.in_(ids))))


def may_review(viewer: Viewer | None, managing_la_id: uuid.UUID | None) -> bool:
    """Decide on a registration: the managing LA's admins, and platform admins."""
    if viewer is None:
        return False
    if viewer.is_platform_admin:
        return True
    return (
        viewer.has(Role.LA_ADMIN)
        and managing_la_id is not None
        and managing_la_id == viewer.organisation_id
    )


def may_see_registration(
    viewer: Viewer | None, provider_id: uuid.UUID, managing_la_id: uuid.UUID | None
) -> bool:
    """A registration (and its spreadsheet): the provider itself, the managing LA's staff,
    platform admins. Signatory-only people see none."""
    if viewer is None or viewer.is_signatory_only:
        return False
    if viewer.is_platform_admin or viewer.organisation_id == provider_id:
        return True
    return viewer.is_local_authority and managing_la_id == viewer.organisation_id


def may_see_homes(viewer: Viewer | None, provider_id: uuid.UUID) -> bool:
    """A provider's homes: the provider itself, LA staff (they match and place) and platform."""
    if viewer is None or viewer.is_signatory_only:
        return False
    return (
        viewer.is_platform_admin
        or viewer.organisation_id == provider_id
        or viewer.is_local_authority
    )


async def registrations_for(
    session: AsyncSession, viewer: Viewer, status: str | None
) -> list[ProviderRegistration]:
    """Registrations ``viewer`` may review: platform admins all; LA admins those they manage.

    Oldest submission first (the queue an LA works through); never submitted ones last.
    """
    statement = select(ProviderRegistration).join(
        Organisation, Organisation.id == ProviderRegistration.organisation_id
    )
    if not viewer.is_platform_admin:
        if not viewer.has(Role.LA_ADMIN):
            return []
        statement = statement.where(
            Organisation.managing_local_authority_id == viewer.organisation_id
        )
    if status is not None:
        statement = statement.where(ProviderRegistration.status == status)
    statement = statement.order_by(
        ProviderRegistration.submitted_at.is_(None),
        ProviderRegistration.submitted_at,
        Organisation.name,
    )
    return list(await session.scalars(statement))

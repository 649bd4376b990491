"""The local authorities a provider's registration can name (the template's drop-down)."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from core.identity.roles import OrganisationKind
from core.models import Organisation


async def local_authority_names(session: AsyncSession) -> list[str]:
    """Every local authority on the portal, by name."""
    return list(
        await session.scalars(
            select(Organisation.name)
            .where(Organisation.kind == OrganisationKind.LOCAL_AUTHORITY.value)
            .order_by(Organisation.name)
        )
    )

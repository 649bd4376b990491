"""Organisations and their first accounts (a provider signs up in :mod:`core.identity.sign_up`):
the platform creates local
authorities (and their enabled categories) and its own admins.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterable

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from core.db import Database
from core.errors import Conflict, InvalidInput, NotFound
from core.identity import passwords
from core.identity.emails import check_personal_email
from core.identity.members import (
    check_password,
    clean_name,
    email_is_free,
    flush_unique,
    new_user,
)
from core.identity.roles import OrganisationKind, Role
from core.identity.viewer import Viewer
from core.models import (
    Organisation,
    User,
)
from core.plugins.registry import CategoryRegistry
from core.settings import Settings

PLATFORM_NAME = "Placement portal operator"
_CODE = re.compile(r"^[A-Z]{2,8}$")


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
    la_name = clean_name(name, ("input", "name"))
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
    person = clean_name(name, ("input", "name"))
    check_password(password)
    password_hash = await passwords.hash_password(password, fast=settings.env == "test")
    async with db.transaction() as session:
        await email_is_free(session, address)
        organisation = await platform_organisation(session)
        user = new_user(
            session,
            organisation_id=organisation.id,
            email=address,
            name=person,
            roles=[Role.PLATFORM_ADMIN],
            password_hash=password_hash,
        )
        await flush_unique(session)
    return user

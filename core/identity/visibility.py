"""What a viewer may see of organisations and people. Services and loaders ask here."""

from __future__ import annotations

import uuid

from core.identity.roles import OrganisationKind, Role
from core.identity.viewer import Viewer


def may_see_organisation(viewer: Viewer | None, organisation_id: uuid.UUID, kind: str) -> bool:
    """Everyone signed in sees the local authorities and the platform; a provider sees itself
    among providers; LA staff and the platform see every provider."""
    if viewer is None:
        return False
    if viewer.is_platform_admin or organisation_id == viewer.organisation_id:
        return True
    if kind in (OrganisationKind.LOCAL_AUTHORITY.value, OrganisationKind.PLATFORM.value):
        return True
    return viewer.is_local_authority and not viewer.is_signatory_only


def may_see_user(viewer: Viewer | None, organisation_id: uuid.UUID) -> bool:
    """Members see their own organisation's people; the platform sees everyone."""
    if viewer is None:
        return False
    return viewer.is_platform_admin or organisation_id == viewer.organisation_id


def may_see_members(viewer: Viewer | None, organisation_id: uuid.UUID) -> bool:
    """``Organisation.users``: admins of that organisation and platform admins."""
    if viewer is None:
        return False
    if viewer.is_platform_admin:
        return True
    return organisation_id == viewer.organisation_id and viewer.has(
        Role.LA_ADMIN, Role.PROVIDER_ADMIN
    )

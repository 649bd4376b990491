"""Who is a party to a thread: the LA's staff and the provider's staff, nobody else."""

from __future__ import annotations

import uuid

from core.identity.roles import Role
from core.identity.viewer import Viewer

LA_WRITERS = (Role.LA_ADMIN.value, Role.LA_CASEWORKER.value)
PROVIDER_WRITERS = (Role.PROVIDER_ADMIN.value, Role.PROVIDER_USER.value)


def is_party(viewer: Viewer | None, local_authority_id: uuid.UUID, provider_id: uuid.UUID) -> bool:
    """The viewer may read and write in the thread of ``provider_id`` about a referral of
    ``local_authority_id``: LA_ADMIN/LA_CASEWORKER of that LA (or its API token), or
    PROVIDER_ADMIN/PROVIDER_USER of that provider. A thread exists only for a provider the
    referral was delivered to (deliveries are never deleted), so this is the whole rule."""
    if viewer is None:
        return False
    if viewer.is_local_authority:
        return viewer.organisation_id == local_authority_id and viewer.has(
            Role.LA_ADMIN, Role.LA_CASEWORKER
        )
    if viewer.is_provider:
        return viewer.organisation_id == provider_id and viewer.has(
            Role.PROVIDER_ADMIN, Role.PROVIDER_USER
        )
    return False

"""Who is a party to a thread: the LA's staff and the provider's staff, nobody else."""

from __future__ import annotations

import uuid

from core.access import LA_STAFF, PROVIDER_STAFF
from core.identity.viewer import Viewer


def is_party(viewer: Viewer | None, local_authority_id: uuid.UUID, provider_id: uuid.UUID) -> bool:
    """The viewer may read and write in the thread of ``provider_id`` about a referral of
    ``local_authority_id``: LA_ADMIN/LA_CASEWORKER of that LA (or its API token), or
    PROVIDER_ADMIN/PROVIDER_USER of that provider. A thread exists only for a provider the
    referral was delivered to (deliveries are never deleted), so this is the whole rule."""
    if viewer is None:
        return False
    if viewer.is_local_authority:
        return viewer.organisation_id == local_authority_id and viewer.has(*LA_STAFF)
    if viewer.is_provider:
        return viewer.organisation_id == provider_id and viewer.has(*PROVIDER_STAFF)
    return False

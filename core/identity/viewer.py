"""Who is asking: the person (or LA system) behind a request."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from core.identity.roles import SIGNATORY_ROLES, OrganisationKind, Role


@dataclass(frozen=True)
class Viewer:
    organisation_id: uuid.UUID
    organisation_kind: OrganisationKind
    roles: frozenset[Role]
    #: None for an API token (an LA's system acting as LA_CASEWORKER).
    user_id: uuid.UUID | None = None
    session_id: uuid.UUID | None = None
    api_token_id: uuid.UUID | None = None
    client_address: str | None = None

    def has(self, *roles: Role) -> bool:
        return not self.roles.isdisjoint(roles)

    @property
    def is_platform_admin(self) -> bool:
        return Role.PLATFORM_ADMIN in self.roles

    @property
    def is_local_authority(self) -> bool:
        return self.organisation_kind is OrganisationKind.LOCAL_AUTHORITY

    @property
    def is_provider(self) -> bool:
        return self.organisation_kind is OrganisationKind.PROVIDER

    @property
    def is_signatory_only(self) -> bool:
        """Holds only signatory roles: may see and sign IPAs, and nothing else."""
        return bool(self.roles) and self.roles <= SIGNATORY_ROLES

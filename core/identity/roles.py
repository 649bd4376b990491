"""Organisation kinds and roles (the contract's ``OrganisationKind`` and ``Role``)."""

from __future__ import annotations

from enum import StrEnum


class OrganisationKind(StrEnum):
    LOCAL_AUTHORITY = "LOCAL_AUTHORITY"
    PROVIDER = "PROVIDER"
    PLATFORM = "PLATFORM"


class Role(StrEnum):
    PLATFORM_ADMIN = "PLATFORM_ADMIN"
    LA_ADMIN = "LA_ADMIN"
    LA_CASEWORKER = "LA_CASEWORKER"
    LA_SIGNATORY = "LA_SIGNATORY"
    CATEGORY_LEAD = "CATEGORY_LEAD"
    PROVIDER_ADMIN = "PROVIDER_ADMIN"
    PROVIDER_USER = "PROVIDER_USER"
    PROVIDER_SIGNATORY = "PROVIDER_SIGNATORY"


#: The roles a member of each kind of organisation may hold.
ROLES_BY_KIND: dict[OrganisationKind, frozenset[Role]] = {
    OrganisationKind.PLATFORM: frozenset({Role.PLATFORM_ADMIN, Role.CATEGORY_LEAD}),
    OrganisationKind.LOCAL_AUTHORITY: frozenset(
        {Role.LA_ADMIN, Role.LA_CASEWORKER, Role.LA_SIGNATORY, Role.CATEGORY_LEAD}
    ),
    OrganisationKind.PROVIDER: frozenset(
        {Role.PROVIDER_ADMIN, Role.PROVIDER_USER, Role.PROVIDER_SIGNATORY}
    ),
}

SIGNATORY_ROLES = frozenset({Role.LA_SIGNATORY, Role.PROVIDER_SIGNATORY})
ADMIN_ROLES = frozenset({Role.PLATFORM_ADMIN, Role.LA_ADMIN, Role.PROVIDER_ADMIN})

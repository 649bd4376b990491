"""Organisations, users, API tokens and account requests as the API shows them."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import TYPE_CHECKING, Annotated

import strawberry

from core.identity import visibility
from core.identity.login import LoginStep as _LoginStep
from core.identity.roles import OrganisationKind as _OrganisationKind
from core.identity.roles import Role as _Role
from core.models import AccountRequest as AccountRequestRow
from core.models import ApiToken as ApiTokenRow
from core.models import Organisation as OrganisationRow
from core.models import User as UserRow
from schema.context import Info
from schema.enums import CareCategory
from schema.node import Node, encode_id, node_resolver
from schema.notifications.types import NotificationKind

if TYPE_CHECKING:
    from schema.documents.types import Document
    from schema.registration.types import ProviderRegistration

OrganisationKind = _OrganisationKind
strawberry.enum(_OrganisationKind, name="OrganisationKind")
Role = _Role
strawberry.enum(_Role, name="Role")
LoginStep = _LoginStep
strawberry.enum(_LoginStep, name="LoginStep")


@strawberry.type
class Organisation(Node):
    key: strawberry.Private[uuid.UUID]
    name: str
    kind: OrganisationKind
    enabled_categories: list[CareCategory] = strawberry.field(
        description="Local authorities only: the care categories this LA may send referrals for."
    )

    @classmethod
    def of(cls, row: OrganisationRow) -> Organisation:
        return cls(
            id=encode_id("Organisation", row.id),
            key=row.id,
            name=row.name,
            kind=OrganisationKind(row.kind),
            enabled_categories=[CareCategory(c) for c in row.enabled_categories or []],
        )

    @strawberry.field(
        description="Members, visible to admins of this organisation and platform admins."
    )
    async def users(self, info: Info) -> list[User]:
        if not visibility.may_see_members(info.context.viewer, self.key):
            return []
        members = await info.context.loaders.members_by_organisation_id.load(self.key)
        return [User.of(u) for u in members]

    @strawberry.field(description="Providers only.")
    async def registration(
        self, info: Info
    ) -> Annotated[ProviderRegistration, strawberry.lazy("schema.registration.types")] | None:
        from schema.registration.types import registration_of_organisation

        return await registration_of_organisation(info, self)

    @strawberry.field(
        description="Providers only: profile documents (insurance, Ofsted certificate, ...), "
        "newest first."
    )
    async def documents(
        self, info: Info
    ) -> list[Annotated[Document, strawberry.lazy("schema.documents.types")]]:
        from schema.documents.types import profile_documents_of

        return await profile_documents_of(info, self.key, self.kind)


@strawberry.type
class User(Node):
    key: strawberry.Private[uuid.UUID]
    organisation_key: strawberry.Private[uuid.UUID]
    email: str
    name: str
    totp_enabled: bool

    @classmethod
    def of(cls, row: UserRow) -> User:
        return cls(
            id=encode_id("User", row.id),
            key=row.id,
            organisation_key=row.organisation_id,
            email=row.email,
            name=row.name,
            totp_enabled=row.totp_enabled,
        )

    @strawberry.field
    async def organisation(self, info: Info) -> Organisation:
        row = await info.context.loaders.organisation_by_id.load(self.organisation_key)
        return Organisation.of(row)

    @strawberry.field
    async def roles(self, info: Info) -> list[Role]:
        return [Role(r) for r in await info.context.loaders.roles_by_user_id.load(self.key)]

    @strawberry.field(
        description="The kinds of notification this user is not emailed about (shown to the "
        "user only; empty for anyone else)."
    )
    async def email_disabled_kinds(self, info: Info) -> list[NotificationKind]:
        from core.notifications.queries import email_opt_outs_by_user_ids

        viewer = info.context.viewer
        if viewer is None or viewer.user_id != self.key:
            return []
        kinds = await info.context.loaders.get(email_opt_outs_by_user_ids).load(self.key)
        return [NotificationKind(k) for k in kinds]

    @strawberry.field(description="Users who may sign IPAs on this user's behalf.")
    async def signing_delegates(self, info: Info) -> list[User]:
        if not visibility.may_see_user(info.context.viewer, self.organisation_key):
            return []
        return [
            User.of(u) for u in await info.context.loaders.delegates_by_signatory_id.load(self.key)
        ]


@strawberry.type
class ApiToken(Node):
    organisation_key: strawberry.Private[uuid.UUID]
    name: str
    created_at: datetime
    last_used_at: datetime | None

    @classmethod
    def of(cls, row: ApiTokenRow) -> ApiToken:
        return cls(
            id=encode_id("ApiToken", row.id),
            organisation_key=row.organisation_id,
            name=row.name,
            created_at=row.created_at,
            last_used_at=row.last_used_at,
        )

    @strawberry.field
    async def organisation(self, info: Info) -> Organisation:
        return Organisation.of(
            await info.context.loaders.organisation_by_id.load(self.organisation_key)
        )


@strawberry.type
class AccountRequest(Node):
    organisation_key: strawberry.Private[uuid.UUID]
    email: str
    name: str
    roles: list[Role]
    status: str = strawberry.field(description="PENDING, APPROVED or REJECTED.")
    reason: str | None = None

    @classmethod
    def of(cls, row: AccountRequestRow) -> AccountRequest:
        return cls(
            id=encode_id("AccountRequest", row.id),
            organisation_key=row.organisation_id,
            email=row.email,
            name=row.name,
            roles=[Role(r) for r in row.roles],
            status=row.status,
            reason=row.reason,
        )

    @strawberry.field
    async def organisation(self, info: Info) -> Organisation:
        return Organisation.of(
            await info.context.loaders.organisation_by_id.load(self.organisation_key)
        )


@node_resolver("Organisation")
async def _organisation_node(info: Info, key: uuid.UUID) -> Organisation | None:
    row = await info.context.loaders.organisation_by_id.load(key)
    if row is None or not visibility.may_see_organisation(info.context.viewer, row.id, row.kind):
        return None
    return Organisation.of(row)


@node_resolver("User")
async def _user_node(info: Info, key: uuid.UUID) -> User | None:
    row = await info.context.loaders.user_by_id.load(key)
    if row is None or not visibility.may_see_user(info.context.viewer, row.organisation_id):
        return None
    return User.of(row)

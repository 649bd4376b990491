"""Organisations, users, API tokens and account requests as the API shows them."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import TYPE_CHECKING, Annotated

import strawberry

from core.identity import queries as identity_queries
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
from schema.node import Node, encode_id
from schema.notifications.types import NotificationKind

if TYPE_CHECKING:
    from schema.documents.types import Document
    from schema.registration.types import ProviderRegistration

OrganisationKind = _OrganisationKind
Role = _Role
LoginStep = _LoginStep


@strawberry.type
class Organisation(Node):
    key: strawberry.Private[uuid.UUID]
    name: str
    kind: OrganisationKind
    code: str | None = strawberry.field(
        description="Local authorities only: the short code in referral references, e.g. BIR."
    )
    enabled_categories: list[CareCategory] = strawberry.field(
        description="Local authorities only: the care categories this LA may send referrals for."
    )
    own_retention_days: strawberry.Private[int | None] = None
    own_ipa_retention_days: strawberry.Private[int | None] = None

    @classmethod
    def of(cls, row: OrganisationRow) -> Organisation:
        return cls(
            id=encode_id("Organisation", row.id),
            key=row.id,
            name=row.name,
            kind=OrganisationKind(row.kind),
            code=row.code,
            enabled_categories=[CareCategory(c) for c in row.enabled_categories or []],
            own_retention_days=row.retention_days,
            own_ipa_retention_days=row.ipa_retention_days,
        )

    @strawberry.field(
        description="Local authorities: days a closed referral's personal data is kept."
    )
    def retention_days(self, info: Info) -> int | None:
        if self.kind is not OrganisationKind.LOCAL_AUTHORITY:
            return None
        return self.own_retention_days or info.context.settings.retention_days_default

    @strawberry.field(description="Local authorities: days an IPA is kept after it ends.")
    def ipa_retention_days(self, info: Info) -> int | None:
        if self.kind is not OrganisationKind.LOCAL_AUTHORITY:
            return None
        return self.own_ipa_retention_days or info.context.settings.ipa_retention_days_default

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
    # What only the person's own organisation (and the platform) sees: the other side of a
    # case reaches a person as a message's author or an IPA's signatory, and needs their
    # name, organisation and work email, not their roles or sign-in details (the same rule
    # as node(User): core.identity.visibility.may_see_user).
    totp_enabled_value: strawberry.Private[bool]
    active_value: strawberry.Private[bool]
    #: The person themselves, just signed up, in or invited (before a session exists).
    shown_to_self: strawberry.Private[bool] = False

    @classmethod
    def of(cls, row: UserRow, *, to_self: bool = False) -> User:
        return cls(
            shown_to_self=to_self,
            id=encode_id("User", row.id),
            key=row.id,
            organisation_key=row.organisation_id,
            email=row.email,
            name=row.name,
            totp_enabled_value=row.totp_enabled,
            active_value=row.is_active,
        )

    def _own_side(self, info: Info) -> bool:
        return self.shown_to_self or visibility.may_see_user(
            info.context.viewer, self.organisation_key
        )

    @strawberry.field(description="Only for the person's own organisation; false for others.")
    def totp_enabled(self, info: Info) -> bool:
        return self.totp_enabled_value and self._own_side(info)

    @strawberry.field(
        description="False once deactivated: no sign-in, every session and subscription ended."
    )
    def active(self, info: Info) -> bool:
        return self.active_value

    @strawberry.field
    async def organisation(self, info: Info) -> Organisation:
        row = await info.context.loaders.organisation_by_id.load(self.organisation_key)
        return Organisation.of(row)

    @strawberry.field(description="Only for the person's own organisation; empty for others.")
    async def roles(self, info: Info) -> list[Role]:
        if not self._own_side(info):
            return []
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

    @strawberry.field(
        description="Signatories who authorised this user to sign IPAs on their behalf "
        "(give one as SignIpaInput.onBehalfOfUserId)."
    )
    async def signs_on_behalf_of(self, info: Info) -> list[User]:
        if not visibility.may_see_user(info.context.viewer, self.organisation_key):
            return []
        return [
            User.of(u)
            for u in await info.context.loaders.get(
                identity_queries.principals_by_delegate_ids
            ).load(self.key)
        ]

    @strawberry.field(
        description="The other active people of this user's organisation, by name: whom a "
        "signatory may authorise to sign on their behalf. Shown to the user themselves and to "
        "those who may see the organisation's members; empty for anyone else."
    )
    async def colleagues(self, info: Info) -> list[User]:
        viewer = info.context.viewer
        if viewer is None or not (
            viewer.user_id == self.key or visibility.may_see_members(viewer, self.organisation_key)
        ):
            return []
        members = await info.context.loaders.members_by_organisation_id.load(self.organisation_key)
        return [User.of(u) for u in members if u.id != self.key and u.is_active]


@strawberry.type
class ApiToken(Node):
    organisation_key: strawberry.Private[uuid.UUID]
    name: str
    created_at: datetime
    last_used_at: datetime | None
    expires_at: datetime | None

    @classmethod
    def of(cls, row: ApiTokenRow) -> ApiToken:
        return cls(
            id=encode_id("ApiToken", row.id),
            organisation_key=row.organisation_id,
            name=row.name,
            created_at=row.created_at,
            last_used_at=row.last_used_at,
            expires_at=row.expires_at,
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


async def organisation_node(info: Info, key: uuid.UUID) -> Organisation | None:
    row = await info.context.loaders.organisation_by_id.load(key)
    if row is None or not visibility.may_see_organisation(info.context.viewer, row.id, row.kind):
        return None
    return Organisation.of(row)


async def user_node(info: Info, key: uuid.UUID) -> User | None:
    row = await info.context.loaders.user_by_id.load(key)
    if row is None or not visibility.may_see_user(info.context.viewer, row.organisation_id):
        return None
    return User.of(row)

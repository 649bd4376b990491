"""``setRetentionPolicy`` and ``requestExport``: each calls one service (``@mutation`` checks
the caller)."""

from __future__ import annotations

import strawberry

from core.children.exports import request_export
from core.children.policy import set_retention_policy
from schema.children.types import DataExport
from schema.context import Info
from schema.errors import USER_ERRORS, UserError
from schema.identity.inputs import OrganisationPayload
from schema.identity.types import Organisation
from schema.mutation import arguments, mutation, signed_in


@strawberry.input
class SetRetentionPolicyInput:
    organisation_id: strawberry.ID
    retention_days: int
    ipa_retention_days: int | None = None


@strawberry.input
class RequestExportInput:
    referral_id: strawberry.ID | None = strawberry.field(
        default=None, description="Exactly one of the two."
    )
    organisation_id: strawberry.ID | None = None


@strawberry.type
class DataExportPayload:
    user_errors: list[UserError] = USER_ERRORS
    export: DataExport | None = None


@strawberry.type
class ChildrenDataMutations:
    @mutation
    async def set_retention_policy(
        self, info: Info, input: SetRetentionPolicyInput
    ) -> OrganisationPayload:
        ctx = info.context
        organisation = await set_retention_policy(
            ctx.db,
            ctx.settings,
            signed_in(info),
            **arguments(input, organisation_id="Organisation"),
        )
        return OrganisationPayload(organisation=Organisation.of(organisation))

    @mutation
    async def request_export(self, info: Info, input: RequestExportInput) -> DataExportPayload:
        ctx = info.context
        values = arguments(input, referral_id="Referral", organisation_id="Organisation")
        export = await request_export(
            ctx.db,
            ctx.settings,
            signed_in(info),
            referral_id=values.get("referral_id"),
            organisation_id=values.get("organisation_id"),
        )
        return DataExportPayload(export=DataExport.of(export, ctx.settings.base_url))

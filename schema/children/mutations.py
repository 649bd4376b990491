"""``setRetentionPolicy`` and ``requestExport``: each checks its caller in ``mutate`` and
calls one service."""

from __future__ import annotations

from typing import Any

import strawberry

from core.children.exports import request_export
from core.children.policy import set_retention_policy
from core.identity.viewer import Viewer
from schema.children.types import DataExport
from schema.context import Info
from schema.errors import UserError, mutate
from schema.identity.inputs import OrganisationPayload
from schema.identity.types import Organisation
from schema.node import decode_id


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
    user_errors: list[UserError]
    export: DataExport | None = None


@strawberry.type
class ChildrenDataMutations:
    @strawberry.mutation
    async def set_retention_policy(
        self, info: Info, input: SetRetentionPolicyInput
    ) -> OrganisationPayload:
        ctx = info.context

        async def act(viewer: Viewer) -> dict[str, Any]:
            organisation = await set_retention_policy(
                ctx.db,
                ctx.settings,
                viewer,
                organisation_id=decode_id(
                    input.organisation_id, "Organisation", field=("input", "organisationId")
                ),
                retention_days=input.retention_days,
                ipa_retention_days=input.ipa_retention_days,
            )
            return {"organisation": Organisation.of(organisation)}

        return await mutate(info, "setRetentionPolicy", OrganisationPayload, act)

    @strawberry.mutation
    async def request_export(self, info: Info, input: RequestExportInput) -> DataExportPayload:
        ctx = info.context

        async def act(viewer: Viewer) -> dict[str, Any]:
            export = await request_export(
                ctx.db,
                ctx.settings,
                viewer,
                referral_id=decode_id(input.referral_id, "Referral", field=("input", "referralId"))
                if input.referral_id
                else None,
                organisation_id=decode_id(
                    input.organisation_id, "Organisation", field=("input", "organisationId")
                )
                if input.organisation_id
                else None,
            )
            return {"export": DataExport.of(export, ctx.settings.base_url)}

        return await mutate(info, "requestExport", DataExportPayload, act)

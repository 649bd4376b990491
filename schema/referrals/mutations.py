"""The referral mutations: each checks its caller in ``mutate`` and calls one service."""

from __future__ import annotations

import uuid
from typing import Any

import strawberry

from core.errors import InvalidInput
from core.identity.viewer import Viewer
from core.referrals import deadlines, service
from core.referrals.content import ChildInput
from schema.context import Info
from schema.errors import mutate
from schema.node import decode_id
from schema.referrals.inputs import (
    CreateReferralInput,
    DeclineReferralInput,
    ExtendResponseDeadlineInput,
    ReferralChildInput,
    ReferralIdInput,
    ReferralPayload,
    SendReferralPayload,
    UpdateReferralInput,
    WithdrawReferralInput,
)
from schema.referrals.types import Referral


def _children(children: list[ReferralChildInput]) -> list[ChildInput]:
    return [ChildInput(age=c.age, gender=c.gender.value, needs=c.needs) for c in children]


def _document_ids(ids: list[strawberry.ID] | None) -> list[uuid.UUID]:
    return [
        decode_id(d, "Document", field=("input", "documentIds", str(i)))
        for i, d in enumerate(ids or [])
    ]


def _given(value: Any) -> bool:
    return value is not strawberry.UNSET


@strawberry.type
class ReferralMutations:
    @strawberry.mutation
    async def create_referral(self, info: Info, input: CreateReferralInput) -> ReferralPayload:
        ctx = info.context

        async def act(viewer: Viewer) -> dict[str, Any]:
            referral = await service.create_referral(
                ctx.db,
                ctx.registry,
                viewer,
                category=str(input.category),
                children=_children(input.children),
                summary=input.summary,
                urgency=input.urgency.value if input.urgency else None,
                postcode=input.postcode,
                required_from=input.required_from,
                details=input.details,
                document_ids=_document_ids(input.document_ids),
            )
            return {"referral": Referral.of(referral)}

        return await mutate(info, "createReferral", ReferralPayload, act)

    @strawberry.mutation
    async def update_referral(self, info: Info, input: UpdateReferralInput) -> ReferralPayload:
        ctx = info.context

        async def act(viewer: Viewer) -> dict[str, Any]:
            changes: dict[str, Any] = {}
            if _given(input.children):
                if input.children is None:
                    raise InvalidInput(
                        "A referral needs its children.", field=("input", "children")
                    )
                changes["children"] = _children(input.children)
            if _given(input.summary):
                changes["summary"] = input.summary or ""
            if _given(input.urgency) and input.urgency is not None:
                changes["urgency"] = input.urgency.value
            if _given(input.postcode):
                changes["postcode"] = input.postcode
            if _given(input.required_from):
                changes["required_from"] = input.required_from
            if _given(input.details):
                changes["details"] = input.details
            if _given(input.document_ids):
                changes["document_ids"] = _document_ids(input.document_ids)
            referral = await service.update_referral(
                ctx.db, ctx.registry, viewer, referral_id=decode_id(input.id, "Referral"), **changes
            )
            return {"referral": Referral.of(referral)}

        return await mutate(info, "updateReferral", ReferralPayload, act)

    @strawberry.mutation
    async def send_referral(self, info: Info, input: ReferralIdInput) -> SendReferralPayload:
        ctx = info.context

        async def act(viewer: Viewer) -> dict[str, Any]:
            result = await service.send_referral(
                ctx.db,
                ctx.registry,
                ctx.settings,
                viewer,
                referral_id=decode_id(input.id, "Referral"),
            )
            return {
                "referral": Referral.of(result.referral),
                "delivered_count": result.delivered_count,
            }

        return await mutate(info, "sendReferral", SendReferralPayload, act)

    @strawberry.mutation
    async def withdraw_referral(self, info: Info, input: WithdrawReferralInput) -> ReferralPayload:
        ctx = info.context

        async def act(viewer: Viewer) -> dict[str, Any]:
            referral = await service.withdraw_referral(
                ctx.db,
                ctx.settings,
                viewer,
                referral_id=decode_id(input.id, "Referral"),
                reason=input.reason,
            )
            return {"referral": Referral.of(referral)}

        return await mutate(info, "withdrawReferral", ReferralPayload, act)

    @strawberry.mutation
    async def decline_referral(self, info: Info, input: DeclineReferralInput) -> ReferralPayload:
        ctx = info.context

        async def act(viewer: Viewer) -> dict[str, Any]:
            key = decode_id(input.id, "Referral")
            await service.decline_referral(
                ctx.db,
                viewer,
                referral_id=key,
                reason=input.reason,
                reason_code=input.reason_code.value if input.reason_code else None,
            )
            async with ctx.read() as session:
                from core.referrals.queries import visible_referral

                row = await visible_referral(session, viewer, key)
            from schema.referrals.types import referral_for_viewer

            return {"referral": referral_for_viewer(row) if row else None}

        return await mutate(info, "declineReferral", ReferralPayload, act)

    @strawberry.mutation
    async def extend_response_deadline(
        self, info: Info, input: ExtendResponseDeadlineInput
    ) -> ReferralPayload:
        ctx = info.context

        async def act(viewer: Viewer) -> dict[str, Any]:
            referral = await deadlines.extend_response_deadline(
                ctx.db,
                ctx.settings,
                viewer,
                referral_id=decode_id(input.referral_id, "Referral", field=("input", "referralId")),
                respond_by=input.respond_by,
            )
            return {"referral": Referral.of(referral)}

        return await mutate(info, "extendResponseDeadline", ReferralPayload, act)

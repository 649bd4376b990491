"""The referral mutations: each calls one service (``@mutation`` checks the caller)."""

from __future__ import annotations

from typing import Any

import strawberry

from core.errors import InvalidInput
from core.referrals import service
from core.referrals.content import ChildInput
from core.referrals.queries import visible_referral
from schema.context import Info
from schema.mutation import arguments, mutation, signed_in
from schema.node import decode_id
from schema.referrals.inputs import (
    CreateReferralInput,
    DeclineReferralInput,
    ReferralChildInput,
    ReferralIdInput,
    ReferralPayload,
    SendReferralPayload,
    UpdateReferralInput,
    WithdrawReferralInput,
)
from schema.referrals.types import Referral, referral_for_viewer


def _children(children: list[ReferralChildInput]) -> list[ChildInput]:
    return [ChildInput(age=c.age, gender=c.gender.value, needs=c.needs) for c in children]


def _referral_values(input: CreateReferralInput | UpdateReferralInput) -> dict[str, Any]:
    """The fields given, as the services take them (a null summary is an empty one)."""
    values = arguments(input, document_ids="Document")
    values.pop("id", None)
    if "children" in values:
        if values["children"] is None:
            raise InvalidInput("A referral needs its children.", field=("input", "children"))
        values["children"] = _children(values["children"])
    if "urgency" in values:
        urgency = values.pop("urgency")
        if urgency is not None:
            values["urgency"] = urgency.value
    if "summary" in values:
        values["summary"] = values["summary"] or ""
    if "document_ids" in values:
        values["document_ids"] = values["document_ids"] or []
    return values


@strawberry.type
class ReferralMutations:
    @mutation
    async def create_referral(self, info: Info, input: CreateReferralInput) -> ReferralPayload:
        ctx, values = info.context, _referral_values(input)
        values["category"] = str(values["category"])
        values.setdefault("urgency", None)
        referral = await service.create_referral(ctx.db, ctx.registry, signed_in(info), **values)
        return ReferralPayload(referral=Referral.of(referral))

    @mutation
    async def update_referral(self, info: Info, input: UpdateReferralInput) -> ReferralPayload:
        ctx, referral_id = info.context, decode_id(input.id, "Referral")
        referral = await service.update_referral(
            ctx.db,
            ctx.registry,
            signed_in(info),
            referral_id=referral_id,
            **_referral_values(input),
        )
        return ReferralPayload(referral=Referral.of(referral))

    @mutation
    async def send_referral(self, info: Info, input: ReferralIdInput) -> SendReferralPayload:
        ctx, referral_id = info.context, decode_id(input.id, "Referral")
        result = await service.send_referral(
            ctx.db, ctx.registry, ctx.settings, signed_in(info), referral_id=referral_id
        )
        return SendReferralPayload(
            referral=Referral.of(result.referral), delivered_count=result.delivered_count
        )

    @mutation
    async def withdraw_referral(self, info: Info, input: WithdrawReferralInput) -> ReferralPayload:
        ctx, referral_id = info.context, decode_id(input.id, "Referral")
        referral = await service.withdraw_referral(
            ctx.db, ctx.settings, signed_in(info), referral_id=referral_id, reason=input.reason
        )
        return ReferralPayload(referral=Referral.of(referral))

    @mutation
    async def decline_referral(self, info: Info, input: DeclineReferralInput) -> ReferralPayload:
        ctx, viewer, key = info.context, signed_in(info), decode_id(input.id, "Referral")
        await service.decline_referral(ctx.db, viewer, referral_id=key, reason=input.reason)
        async with ctx.read() as session:
            row = await visible_referral(session, viewer, key)
        return ReferralPayload(referral=referral_for_viewer(row) if row else None)

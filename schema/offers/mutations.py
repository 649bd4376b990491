"""The offer mutations: each checks its caller in ``mutate`` and calls one service."""

from __future__ import annotations

import uuid
from typing import Any

import strawberry

from core.identity.viewer import Viewer
from core.offers import service
from core.offers.content import CostInput
from schema.context import Info
from schema.errors import mutate
from schema.node import decode_id, encode_id
from schema.offers.inputs import (
    AdditionalCostInput,
    DeclineOfferInput,
    OfferIdInput,
    OfferPayload,
    SubmitOfferInput,
    UpdateOfferInput,
)
from schema.offers.types import Offer


def _document_ref(key: uuid.UUID) -> str:
    return encode_id("Document", key)


def _costs(costs: list[AdditionalCostInput] | None) -> list[CostInput]:
    return [
        CostInput(description=c.description, amount=c.amount, frequency=c.frequency.value)
        for c in costs or []
    ]


def _document_ids(ids: list[strawberry.ID] | None) -> list[uuid.UUID]:
    return [
        decode_id(d, "Document", field=("input", "documentIds", str(i)))
        for i, d in enumerate(ids or [])
    ]


def _given(value: Any) -> bool:
    return value is not strawberry.UNSET


def _changes(input: UpdateOfferInput) -> service.Changes:
    changes: dict[str, Any] = {}
    if _given(input.home_id) and input.home_id is not None:
        changes["home_id"] = decode_id(input.home_id, "Home", field=("input", "homeId"))
    if _given(input.core_fee) and input.core_fee is not None:
        changes["core_fee"] = input.core_fee
    if _given(input.additional_costs):
        changes["additional_costs"] = _costs(input.additional_costs)
    if _given(input.start_date):
        changes["start_date"] = input.start_date
    if _given(input.details):
        changes["details"] = input.details
    if _given(input.document_ids):
        changes["document_ids"] = _document_ids(input.document_ids)
    return service.Changes(**changes)


@strawberry.type
class OfferMutations:
    @strawberry.mutation
    async def submit_offer(self, info: Info, input: SubmitOfferInput) -> OfferPayload:
        ctx = info.context

        async def act(viewer: Viewer) -> dict[str, Any]:
            family = (
                decode_id(
                    input.fostering_family_id,
                    "FosteringFamily",
                    field=("input", "fosteringFamilyId"),
                )
                if input.fostering_family_id
                else None
            )
            offer = await service.submit_offer(
                ctx.db,
                ctx.registry,
                ctx.settings,
                viewer,
                referral_id=decode_id(input.referral_id, "Referral", field=("input", "referralId")),
                home_id=decode_id(input.home_id, "Home", field=("input", "homeId")),
                core_fee=input.core_fee,
                additional_costs=_costs(input.additional_costs),
                start_date=input.start_date,
                details=input.details,
                document_ids=_document_ids(input.document_ids),
                fostering_family_id=family,
                document_ref=_document_ref,
            )
            return {"offer": Offer.of(offer)}

        return await mutate(info, "submitOffer", OfferPayload, act)

    @strawberry.mutation
    async def update_offer(self, info: Info, input: UpdateOfferInput) -> OfferPayload:
        ctx = info.context

        async def act(viewer: Viewer) -> dict[str, Any]:
            offer = await service.update_offer(
                ctx.db,
                ctx.registry,
                ctx.settings,
                viewer,
                offer_id=decode_id(input.id, "Offer"),
                changes=_changes(input),
                document_ref=_document_ref,
            )
            return {"offer": Offer.of(offer)}

        return await mutate(info, "updateOffer", OfferPayload, act)

    @strawberry.mutation
    async def withdraw_offer(self, info: Info, input: OfferIdInput) -> OfferPayload:
        ctx = info.context

        async def act(viewer: Viewer) -> dict[str, Any]:
            offer = await service.withdraw_offer(
                ctx.db, ctx.settings, viewer, offer_id=decode_id(input.id, "Offer")
            )
            return {"offer": Offer.of(offer)}

        return await mutate(info, "withdrawOffer", OfferPayload, act)

    @strawberry.mutation
    async def accept_offer(self, info: Info, input: OfferIdInput) -> OfferPayload:
        ctx = info.context

        async def act(viewer: Viewer) -> dict[str, Any]:
            offer = await service.accept_offer(
                ctx.db, ctx.settings, viewer, offer_id=decode_id(input.id, "Offer")
            )
            return {"offer": Offer.of(offer)}

        return await mutate(info, "acceptOffer", OfferPayload, act)

    @strawberry.mutation
    async def decline_offer(self, info: Info, input: DeclineOfferInput) -> OfferPayload:
        ctx = info.context

        async def act(viewer: Viewer) -> dict[str, Any]:
            offer = await service.decline_offer(
                ctx.db,
                ctx.settings,
                viewer,
                offer_id=decode_id(input.id, "Offer"),
                reason=input.reason,
                reason_code=input.reason_code.value if input.reason_code else None,
            )
            return {"offer": Offer.of(offer)}

        return await mutate(info, "declineOffer", OfferPayload, act)

    @strawberry.mutation
    async def revise_accepted_offer(self, info: Info, input: UpdateOfferInput) -> OfferPayload:
        ctx = info.context

        async def act(viewer: Viewer) -> dict[str, Any]:
            offer = await service.revise_accepted_offer(
                ctx.db,
                ctx.registry,
                ctx.settings,
                viewer,
                offer_id=decode_id(input.id, "Offer"),
                changes=_changes(input),
                document_ref=_document_ref,
            )
            return {"offer": Offer.of(offer)}

        return await mutate(info, "reviseAcceptedOffer", OfferPayload, act)

"""The offer mutations: each calls one service (``@mutation`` checks the caller)."""

from __future__ import annotations

import uuid
from typing import Any

import strawberry

from core.offers import service
from core.offers.content import CostInput
from schema.context import Info
from schema.mutation import arguments, mutation, signed_in
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


_IDS = {"home_id": "Home", "document_ids": "Document"}


def _changes(input: UpdateOfferInput) -> service.Changes:
    """The fields given (a null home or core fee changes nothing), as the service takes them."""
    changes = arguments(input, **_IDS)
    del changes["id"]
    for name in ("home_id", "core_fee"):
        if changes.get(name, ...) is None:
            del changes[name]
    if "additional_costs" in changes:
        changes["additional_costs"] = _costs(changes["additional_costs"])
    if changes.get("document_ids", ...) is None:
        changes["document_ids"] = []
    return service.Changes(**changes)


def _submission(input: SubmitOfferInput) -> dict[str, Any]:
    values = arguments(input, **_IDS, referral_id="Referral", fostering_family_id="FosteringFamily")
    values["additional_costs"] = _costs(values["additional_costs"])
    values["document_ids"] = values["document_ids"] or []
    return {**values, "document_ref": _document_ref}


def _revision(input: UpdateOfferInput) -> dict[str, Any]:
    offer_id = decode_id(input.id, "Offer")
    return {"offer_id": offer_id, "changes": _changes(input), "document_ref": _document_ref}


@strawberry.type
class OfferMutations:
    @mutation
    async def submit_offer(self, info: Info, input: SubmitOfferInput) -> OfferPayload:
        ctx = info.context
        offer = await service.submit_offer(
            ctx.db, ctx.registry, ctx.settings, signed_in(info), **_submission(input)
        )
        return OfferPayload(offer=Offer.of(offer))

    @mutation
    async def update_offer(self, info: Info, input: UpdateOfferInput) -> OfferPayload:
        ctx = info.context
        offer = await service.update_offer(
            ctx.db, ctx.registry, ctx.settings, signed_in(info), **_revision(input)
        )
        return OfferPayload(offer=Offer.of(offer))

    @mutation
    async def withdraw_offer(self, info: Info, input: OfferIdInput) -> OfferPayload:
        ctx, offer_id = info.context, decode_id(input.id, "Offer")
        offer = await service.withdraw_offer(
            ctx.db, ctx.settings, signed_in(info), offer_id=offer_id
        )
        return OfferPayload(offer=Offer.of(offer))

    @mutation
    async def accept_offer(self, info: Info, input: OfferIdInput) -> OfferPayload:
        ctx, offer_id = info.context, decode_id(input.id, "Offer")
        offer = await service.accept_offer(ctx.db, ctx.settings, signed_in(info), offer_id=offer_id)
        return OfferPayload(offer=Offer.of(offer))

    @mutation
    async def decline_offer(self, info: Info, input: DeclineOfferInput) -> OfferPayload:
        ctx, offer_id = info.context, decode_id(input.id, "Offer")
        offer = await service.decline_offer(
            ctx.db, ctx.settings, signed_in(info), offer_id=offer_id, reason=input.reason
        )
        return OfferPayload(offer=Offer.of(offer))

    @mutation
    async def revise_accepted_offer(self, info: Info, input: UpdateOfferInput) -> OfferPayload:
        ctx = info.context
        offer = await service.revise_accepted_offer(
            ctx.db, ctx.registry, ctx.settings, signed_in(info), **_revision(input)
        )
        return OfferPayload(offer=Offer.of(offer))

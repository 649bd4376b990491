"""The IPA mutations: each calls one service (``@mutation`` checks the caller)."""

from __future__ import annotations

import strawberry

from core.ipas import service
from schema.context import Info
from schema.ipas.inputs import (
    IpaIdInput,
    IpaPayload,
    SignIpaInput,
    UpdateIpaDraftInput,
)
from schema.ipas.types import IndividualPlacementAgreement
from schema.mutation import arguments, mutation, signed_in
from schema.node import decode_id
from schema.offers.inputs import OfferIdInput

IPA = "IndividualPlacementAgreement"


@strawberry.type
class IpaMutations:
    @mutation
    async def generate_ipa(self, info: Info, input: OfferIdInput) -> IpaPayload:
        ctx, offer_id = info.context, decode_id(input.id, "Offer")
        ipa = await service.generate_ipa(ctx.db, ctx.registry, signed_in(info), offer_id=offer_id)
        return IpaPayload(ipa=IndividualPlacementAgreement.of(ipa))

    @mutation
    async def update_ipa_draft(self, info: Info, input: UpdateIpaDraftInput) -> IpaPayload:
        values = arguments(input, id=IPA, document_ids="Document")
        values["ipa_id"] = values.pop("id")
        ipa = await service.update_ipa_draft(info.context.db, signed_in(info), **values)
        return IpaPayload(ipa=IndividualPlacementAgreement.of(ipa))

    @mutation
    async def enable_ipa_for_signing(self, info: Info, input: IpaIdInput) -> IpaPayload:
        ctx, ipa_id = info.context, decode_id(input.id, IPA)
        ipa = await service.enable_ipa_for_signing(
            ctx.db, ctx.settings, signed_in(info), ipa_id=ipa_id
        )
        return IpaPayload(ipa=IndividualPlacementAgreement.of(ipa))

    @mutation
    async def sign_ipa(self, info: Info, input: SignIpaInput) -> IpaPayload:
        ctx, values = info.context, arguments(input, id=IPA, on_behalf_of_user_id="User")
        ipa_id, on_behalf_of_id = values["id"], values["on_behalf_of_user_id"]
        ipa = await service.sign_ipa(
            ctx.db, ctx.settings, signed_in(info), ipa_id=ipa_id, on_behalf_of_id=on_behalf_of_id
        )
        return IpaPayload(ipa=IndividualPlacementAgreement.of(ipa))

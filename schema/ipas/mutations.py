"""The IPA mutations: each checks its caller in ``mutate`` and calls one service."""

from __future__ import annotations

from typing import Any

import strawberry

from core.identity.viewer import Viewer
from core.ipas import service
from schema.context import Info
from schema.errors import mutate
from schema.ipas.inputs import (
    IpaIdInput,
    IpaPayload,
    SignIpaInput,
    UpdateIpaDraftInput,
)
from schema.ipas.types import IndividualPlacementAgreement
from schema.node import decode_id
from schema.offers.inputs import OfferIdInput

IPA = "IndividualPlacementAgreement"


@strawberry.type
class IpaMutations:
    @strawberry.mutation
    async def generate_ipa(self, info: Info, input: OfferIdInput) -> IpaPayload:
        ctx = info.context

        async def act(viewer: Viewer) -> dict[str, Any]:
            ipa = await service.generate_ipa(
                ctx.db, ctx.registry, viewer, offer_id=decode_id(input.id, "Offer")
            )
            return {"ipa": IndividualPlacementAgreement.of(ipa)}

        return await mutate(info, "generateIpa", IpaPayload, act)

    @strawberry.mutation
    async def update_ipa_draft(self, info: Info, input: UpdateIpaDraftInput) -> IpaPayload:
        ctx = info.context

        async def act(viewer: Viewer) -> dict[str, Any]:
            document_ids = (
                None
                if input.document_ids is None
                else [
                    decode_id(d, "Document", field=("input", "documentIds", str(i)))
                    for i, d in enumerate(input.document_ids)
                ]
            )
            ipa = await service.update_ipa_draft(
                ctx.db,
                viewer,
                ipa_id=decode_id(input.id, IPA),
                fields=input.fields,
                document_ids=document_ids,
            )
            return {"ipa": IndividualPlacementAgreement.of(ipa)}

        return await mutate(info, "updateIpaDraft", IpaPayload, act)

    @strawberry.mutation
    async def enable_ipa_for_signing(self, info: Info, input: IpaIdInput) -> IpaPayload:
        ctx = info.context

        async def act(viewer: Viewer) -> dict[str, Any]:
            ipa = await service.enable_ipa_for_signing(
                ctx.db, ctx.settings, viewer, ipa_id=decode_id(input.id, IPA)
            )
            return {"ipa": IndividualPlacementAgreement.of(ipa)}

        return await mutate(info, "enableIpaForSigning", IpaPayload, act)

    @strawberry.mutation
    async def sign_ipa(self, info: Info, input: SignIpaInput) -> IpaPayload:
        ctx = info.context

        async def act(viewer: Viewer) -> dict[str, Any]:
            on_behalf = (
                decode_id(input.on_behalf_of_user_id, "User", field=("input", "onBehalfOfUserId"))
                if input.on_behalf_of_user_id
                else None
            )
            ipa = await service.sign_ipa(
                ctx.db,
                ctx.settings,
                viewer,
                ipa_id=decode_id(input.id, IPA),
                on_behalf_of_id=on_behalf,
            )
            return {"ipa": IndividualPlacementAgreement.of(ipa)}

        return await mutate(info, "signIpa", IpaPayload, act)

"""The registration mutations: the provider's upload and the managing LA's decisions."""

from __future__ import annotations

from typing import Any

import strawberry

from core.identity.viewer import Viewer
from core.registration import service
from core.registration.status import Decision
from core.registration.xlsx_guard import MAX_UPLOAD_BYTES
from schema.context import Info
from schema.documents.uploads import read_upload
from schema.errors import mutate
from schema.node import decode_id
from schema.registration.inputs import (
    DecideRegistrationInput,
    RegistrationPayload,
    UploadRegistrationSpreadsheetInput,
)
from schema.registration.types import ProviderRegistration


async def _decide(
    info: Info, field: str, decision: Decision, input: DecideRegistrationInput
) -> RegistrationPayload:
    ctx = info.context

    async def act(viewer: Viewer) -> dict[str, Any]:
        row = await service.decide(
            ctx.db,
            ctx.settings,
            viewer,
            registration_id=decode_id(input.id, "ProviderRegistration"),
            decision=decision,
            reason=input.reason,
        )
        return {"registration": ProviderRegistration.of(row)}

    return await mutate(info, field, RegistrationPayload, act)


@strawberry.type
class RegistrationMutations:
    @strawberry.mutation(
        description="Upload the completed registration spreadsheet (multipart request). Every "
        'problem comes back at once, each with field [sheet, cell], e.g. ["Homes", "E7"].'
    )
    async def upload_registration_spreadsheet(
        self, info: Info, input: UploadRegistrationSpreadsheetInput
    ) -> RegistrationPayload:
        ctx = info.context

        async def act(viewer: Viewer) -> dict[str, Any]:
            filename, data = await read_upload(input.file, MAX_UPLOAD_BYTES)
            row = await service.upload_spreadsheet(
                ctx.db,
                ctx.settings,
                ctx.registry,
                viewer,
                filename=filename,
                data=data,
            )
            return {"registration": ProviderRegistration.of(row)}

        return await mutate(info, "uploadRegistrationSpreadsheet", RegistrationPayload, act)

    @strawberry.mutation
    async def approve_registration(
        self, info: Info, input: DecideRegistrationInput
    ) -> RegistrationPayload:
        return await _decide(info, "approveRegistration", Decision.APPROVE, input)

    @strawberry.mutation
    async def reject_registration(
        self, info: Info, input: DecideRegistrationInput
    ) -> RegistrationPayload:
        return await _decide(info, "rejectRegistration", Decision.REJECT, input)

    @strawberry.mutation
    async def open_registration_for_editing(
        self, info: Info, input: DecideRegistrationInput
    ) -> RegistrationPayload:
        return await _decide(info, "openRegistrationForEditing", Decision.OPEN_FOR_EDITING, input)

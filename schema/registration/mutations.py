"""The registration mutations: the provider's upload and the managing LA's decisions."""

from __future__ import annotations

import strawberry

from core.registration import service
from core.registration.status import Decision
from core.registration.xlsx_guard import MAX_UPLOAD_BYTES
from schema.context import Info
from schema.documents.uploads import read_upload
from schema.mutation import mutation, signed_in
from schema.node import decode_id
from schema.registration.inputs import (
    DecideRegistrationInput,
    RegistrationPayload,
    UploadRegistrationSpreadsheetInput,
)
from schema.registration.types import ProviderRegistration


async def _decide(
    info: Info, decision: Decision, input: DecideRegistrationInput
) -> RegistrationPayload:
    ctx, registration_id = info.context, decode_id(input.id, "ProviderRegistration")
    row = await service.decide(
        ctx.db,
        ctx.settings,
        signed_in(info),
        registration_id=registration_id,
        decision=decision,
        reason=input.reason,
    )
    return RegistrationPayload(registration=ProviderRegistration.of(row))


@strawberry.type
class RegistrationMutations:
    @mutation(
        description="Upload the completed registration spreadsheet (multipart request). Every "
        'problem comes back at once, each with field [sheet, cell], e.g. ["Homes", "E7"].'
    )
    async def upload_registration_spreadsheet(
        self, info: Info, input: UploadRegistrationSpreadsheetInput
    ) -> RegistrationPayload:
        ctx = info.context
        filename, data = await read_upload(input.file, MAX_UPLOAD_BYTES)
        row = await service.upload_spreadsheet(
            ctx.db, ctx.settings, ctx.registry, signed_in(info), filename=filename, data=data
        )
        return RegistrationPayload(registration=ProviderRegistration.of(row))

    @mutation
    async def approve_registration(
        self, info: Info, input: DecideRegistrationInput
    ) -> RegistrationPayload:
        return await _decide(info, Decision.APPROVE, input)

    @mutation
    async def reject_registration(
        self, info: Info, input: DecideRegistrationInput
    ) -> RegistrationPayload:
        return await _decide(info, Decision.REJECT, input)

    @mutation
    async def open_registration_for_editing(
        self, info: Info, input: DecideRegistrationInput
    ) -> RegistrationPayload:
        return await _decide(info, Decision.OPEN_FOR_EDITING, input)

"""The document mutations."""

from __future__ import annotations

import strawberry

from core.documents import service
from core.documents.kinds import DocumentKind as CoreDocumentKind
from schema.context import Info
from schema.documents.inputs import DocumentPayload, UploadDocumentInput
from schema.documents.types import Document
from schema.documents.uploads import read_upload
from schema.mutation import arguments, mutation, signed_in


@strawberry.type
class DocumentMutations:
    @mutation(
        description="Upload a document of the viewer's organisation (multipart request). "
        "PDF, Word (.docx), Excel (.xlsx), PNG or JPEG, at most 20 MB."
    )
    async def upload_document(self, info: Info, input: UploadDocumentInput) -> DocumentPayload:
        ctx, values = info.context, arguments(input)
        values["filename"], values["data"] = await read_upload(
            values.pop("file"), service.MAX_DOCUMENT_BYTES
        )
        values["kind"] = CoreDocumentKind(input.kind.value)
        row = await service.upload_document(ctx.db, ctx.settings, signed_in(info), **values)
        return DocumentPayload(document=Document.of(row))

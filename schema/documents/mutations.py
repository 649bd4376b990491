"""The document mutations."""

from __future__ import annotations

from typing import Any

import strawberry

from core.documents import service
from core.documents.kinds import DocumentKind as CoreDocumentKind
from core.identity.viewer import Viewer
from schema.context import Info
from schema.documents.inputs import DocumentPayload, UploadDocumentInput
from schema.documents.types import Document
from schema.documents.uploads import read_upload
from schema.errors import mutate


@strawberry.type
class DocumentMutations:
    @strawberry.mutation(
        description="Upload a document of the viewer's organisation (multipart request). "
        "PDF, Word (.docx), Excel (.xlsx), PNG or JPEG, at most 20 MB."
    )
    async def upload_document(self, info: Info, input: UploadDocumentInput) -> DocumentPayload:
        ctx = info.context

        async def act(viewer: Viewer) -> dict[str, Any]:
            filename, data = await read_upload(input.file, service.MAX_DOCUMENT_BYTES)
            row = await service.upload_document(
                ctx.db,
                ctx.settings,
                viewer,
                filename=filename,
                data=data,
                kind=CoreDocumentKind(input.kind.value),
                expires_on=input.expires_on,
            )
            return {"document": Document.of(row)}

        return await mutate(info, "uploadDocument", DocumentPayload, act)

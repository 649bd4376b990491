"""Inputs and payloads of the document mutations (shapes from the contract)."""

from __future__ import annotations

from datetime import date

import strawberry
from strawberry.file_uploads import Upload

from schema.documents.enums import DocumentKind
from schema.documents.types import Document
from schema.errors import USER_ERRORS, UserError


@strawberry.input
class UploadDocumentInput:
    file: Upload
    kind: DocumentKind
    expires_on: date | None = None


@strawberry.type
class DocumentPayload:
    user_errors: list[UserError] = USER_ERRORS
    document: Document | None = None

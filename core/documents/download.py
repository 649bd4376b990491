"""A document asked for by ``GET /documents/{id}``: read only for a viewer who may see it."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncSession

from core.children.access_log import referral_of_document
from core.documents.access import may_see_document
from core.identity.viewer import Viewer
from core.models import Document


@dataclass(frozen=True)
class Download:
    document: Document
    #: The referral the document belongs to (its reads are logged), None for one that holds
    #: nothing about a child.
    referral_id: uuid.UUID | None


async def document_to_download(
    session: AsyncSession, viewer: Viewer | None, key: uuid.UUID
) -> Download | None:
    """The document if ``viewer`` may see it (the API's rule, ``may_see_document``); else None."""
    document = await session.get(Document, key)
    if document is None or not await may_see_document(session, viewer, document):
        return None
    return Download(document, await referral_of_document(session, document.id))

"""``GET /documents/{id}``: a document's bytes, for a caller allowed to see it (else 404).

Authenticates like ``/graphql`` (bearer token, or the session cookie). The answer never says
whether a document the caller may not see exists.
"""

from __future__ import annotations

import logging

from starlette.requests import Request
from starlette.responses import JSONResponse, Response, StreamingResponse

from core.children.access_log import AccessChannel, AccessLog, Subject, record_read
from core.documents.download import document_to_download
from core.documents.storage import StorageIntegrityError, document_store
from core.settings import Settings
from schema.http.stored import content_disposition, started
from schema.http.viewer import not_found, read_as_viewer

logger = logging.getLogger("portal.documents")


async def download_document(request: Request) -> Response:
    seen = await read_as_viewer(request, "Document", document_to_download)
    if seen is None:
        return not_found()
    viewer, download = seen
    settings: Settings = request.app.state.settings
    document, referral_id = download.document, download.referral_id
    store = document_store(settings)
    if not await store.exists(document.storage_key):
        raise RuntimeError(f"document {document.id} has no stored bytes ({document.storage_key})")
    if referral_id is not None:
        access_log: AccessLog = request.app.state.access_log
        record_read(
            access_log, viewer, AccessChannel.DOWNLOAD, Subject.DOCUMENT, document.id, referral_id
        )
    try:
        body = await started(store.chunks(document.storage_key))
    except StorageIntegrityError as error:
        logger.error("document %s: %s", document.id, error)
        return JSONResponse(
            {"error": "The stored file failed its integrity check; it has been logged."},
            status_code=500,
            headers={"Cache-Control": "no-store"},
        )

    return StreamingResponse(
        body,
        media_type=document.content_type,
        headers={
            "Content-Disposition": content_disposition(document.name),
            "Content-Length": str(document.size),
            "X-Content-Type-Options": "nosniff",
            "Cache-Control": "private, no-store",
            "Content-Security-Policy": "default-src 'none'; sandbox",
        },
    )

"""``GET /exports/{id}``: a READY export's zip, for the person who asked for it (else 404)."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator

from starlette.requests import Request
from starlette.responses import JSONResponse, Response, StreamingResponse

from core.children.exports import ExportStatus, visible_export
from core.db import Database
from core.documents.storage import StorageIntegrityError, document_store
from core.identity.authenticate import authenticate
from core.settings import Settings
from schema.http.documents import content_disposition
from schema.node import decode_any_id
from schema.view import SESSION_COOKIE, bearer_token

logger = logging.getLogger("portal.exports")


def _not_found() -> Response:
    return JSONResponse(
        {"error": "Not found."}, status_code=404, headers={"Cache-Control": "no-store"}
    )


async def download_export(request: Request) -> Response:
    db: Database = request.app.state.db
    settings: Settings = request.app.state.settings
    decoded = decode_any_id(request.path_params["id"])
    if decoded is None or decoded[0] != "DataExport":
        return _not_found()
    client_address = request.client.host if request.client else None
    token = bearer_token(request) or request.cookies.get(SESSION_COOKIE)
    viewer = await authenticate(db, token, client_address, idle=settings.session_idle)
    async with db.session() as session:
        export = await visible_export(session, viewer, decoded[1])
    if export is None or export.status != ExportStatus.READY or export.storage_key is None:
        return _not_found()
    chunks = document_store(settings).chunks(export.storage_key)
    try:
        first = await anext(chunks, b"")
    except (StorageIntegrityError, FileNotFoundError) as error:
        logger.error("export %s: %s", export.id, error)
        return _not_found()

    async def body() -> AsyncIterator[bytes]:
        if first:
            yield first
        async for chunk in chunks:
            yield chunk

    return StreamingResponse(
        body(),
        media_type="application/zip",
        headers={
            "Content-Disposition": content_disposition(f"export-{export.id}.zip"),
            "Cache-Control": "private, no-store",
            "X-Content-Type-Options": "nosniff",
        },
    )

"""``GET /exports/{id}``: a READY export's zip, for the person who asked for it (else 404)."""

from __future__ import annotations

import logging

from starlette.requests import Request
from starlette.responses import Response, StreamingResponse

from core.children.exports import ExportStatus, visible_export
from core.db import Database
from core.documents.storage import StorageIntegrityError, document_store
from core.settings import Settings
from schema.http.stored import content_disposition, started
from schema.http.viewer import not_found, viewer_and_key

logger = logging.getLogger("portal.exports")


async def download_export(request: Request) -> Response:
    asked = await viewer_and_key(request, "DataExport")
    if asked is None:
        return not_found()
    viewer, key = asked
    db: Database = request.app.state.db
    settings: Settings = request.app.state.settings
    async with db.session() as session:
        export = await visible_export(session, viewer, key)
    if export is None or export.status != ExportStatus.READY or export.storage_key is None:
        return not_found()
    try:
        body = await started(document_store(settings).chunks(export.storage_key))
    except (StorageIntegrityError, FileNotFoundError) as error:
        logger.error("export %s: %s", export.id, error)
        return not_found()

    return StreamingResponse(
        body,
        media_type="application/zip",
        headers={
            "Content-Disposition": content_disposition(f"export-{export.id}.zip"),
            "Cache-Control": "private, no-store",
            "X-Content-Type-Options": "nosniff",
        },
    )

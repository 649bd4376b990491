"""``GET /exports/{id}``: a READY export's zip, for the person who asked for it (else 404)."""

from __future__ import annotations

import logging

from starlette.requests import Request
from starlette.responses import Response, StreamingResponse

from core.children.exports import ExportStatus, visible_export
from core.documents.storage import StorageIntegrityError, document_store
from core.settings import Settings
from schema.http.stored import content_disposition, started
from schema.http.viewer import not_found, read_as_viewer

logger = logging.getLogger("portal.exports")


async def download_export(request: Request) -> Response:
    seen = await read_as_viewer(request, "DataExport", visible_export)
    if seen is None:
        return not_found()
    export = seen[1]
    if export.status != ExportStatus.READY or export.storage_key is None:
        return not_found()
    settings: Settings = request.app.state.settings
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

"""``GET /exports/placements.csv`` and ``.json``: an LA admin's download of its referrals and
placements in the DfE placements data standard (``?from=YYYY-MM-DD&to=YYYY-MM-DD``)."""

from __future__ import annotations

from datetime import date

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from core.access import may_download
from core.db import Database
from core.errors import DomainError
from core.placements_standard import Period, as_csv, as_json, rows_of_local_authority
from core.plugins.registry import CategoryRegistry
from schema.http.viewer import not_found, request_viewer

_HEADERS = {"Cache-Control": "private, no-store", "X-Content-Type-Options": "nosniff"}


def _date(request: Request, name: str) -> date | None:
    value = request.query_params.get(name)
    return date.fromisoformat(value) if value else None


async def export_placements(request: Request) -> Response:
    viewer = await request_viewer(request)
    if viewer is None or not may_download(viewer, "placementsExport"):
        return not_found()
    fmt = request.path_params["format"]
    if fmt not in ("csv", "json"):
        return not_found()
    try:
        period = Period("", _date(request, "from"), _date(request, "to"))
    except ValueError:
        return JSONResponse({"error": "from and to take dates like 2026-04-01."}, status_code=400)
    db: Database = request.app.state.db
    registry: CategoryRegistry = request.app.state.registry
    try:
        async with db.session() as session:
            rows = await rows_of_local_authority(session, registry, viewer.organisation_id, period)
    except DomainError as error:
        return JSONResponse({"error": error.message}, status_code=400)
    name = f"placements-{date.today().isoformat()}.{fmt}"
    headers = {**_HEADERS, "Content-Disposition": f'attachment; filename="{name}"'}
    if fmt == "csv":
        return Response(as_csv(rows), media_type="text/csv; charset=utf-8", headers=headers)
    return Response(as_json(rows), media_type="application/json", headers=headers)

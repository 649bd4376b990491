"""``GET /registration-template.xlsx``: the blank registration spreadsheet.

Its drop-down lists hold the installed categories' labels and the local authorities on the
portal, so it is built per request (a few hundred milliseconds, off the event loop).
"""

from __future__ import annotations

import asyncio

from starlette.requests import Request
from starlette.responses import Response

from core.db import Database
from core.documents.sniff import XLSX
from core.plugins.registry import CategoryRegistry
from core.registration.authorities import local_authority_names
from core.registration.template import build_template

TEMPLATE_NAME = "registration-template.xlsx"


async def registration_template(request: Request) -> Response:
    db: Database = request.app.state.db
    registry: CategoryRegistry = request.app.state.registry
    async with db.session() as session:
        names = await local_authority_names(session)
    labels = [category.label for category in registry.all()]
    data = await asyncio.to_thread(build_template, labels, names)
    return Response(
        data,
        media_type=XLSX.content_type,
        headers={
            "Content-Disposition": f'attachment; filename="{TEMPLATE_NAME}"',
            "X-Content-Type-Options": "nosniff",
            "Cache-Control": "no-cache",
        },
    )

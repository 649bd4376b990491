"""``/agreements``: the IPAs the person may see (LA and provider staff: their organisation's;
signatories: those awaiting their signature), filtered by status."""

from __future__ import annotations

from starlette.responses import Response

from web.operations import operations
from web.page import Page, page

OPS = operations(__file__)

STATUSES = (
    ("DRAFT", "Draft"),
    ("READY_FOR_SIGNING", "Ready for signing"),
    ("SIGNED", "Signed"),
    ("SUPERSEDED", "Superseded"),
)


@page("/agreements")
async def agreements(p: Page) -> Response:
    status = p.query_params.get("status") or None
    if status not in {s for s, _ in STATUSES}:
        status = None
    data = await p.query(OPS["Agreements"], {"status": status})
    return p.render(
        "agreements/agreements.html",
        agreements=data["ipas"],
        statuses=STATUSES,
        chosen=status or "",
    )

"""PDFs of offers and IPAs: ``GET /offers/{id}.pdf`` and ``GET /ipas/{id}.pdf``.

Made from the print views (schema/http/ipas.py) with WeasyPrint, so a PDF shows exactly what
the printable page shows (the IPA's content hash and signatures included), to exactly the same
people: whoever gets the page gets the PDF, anyone else the same 404.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

import anyio.to_thread
from starlette.requests import Request
from starlette.responses import Response

from schema.http.ipas import HEADERS, print_ipa, print_offer

PrintView = Callable[[Request], Awaitable[Response]]


def offer_pdf_path(global_id: str) -> str:
    return f"/offers/{global_id}.pdf"


def ipa_pdf_path(global_id: str) -> str:
    return f"/ipas/{global_id}.pdf"


def html_to_pdf(html: str) -> bytes:
    """Render one print view (self-contained HTML: inline style, no images) as PDF."""
    from weasyprint import HTML  # a second or so to import: only when a PDF is asked for

    return HTML(string=html).write_pdf()


async def _as_pdf(request: Request, view: PrintView, name: str) -> Response:
    page = await view(request)
    if page.status_code != 200:
        return page  # the print view's own answer (404): no hint that the object exists
    pdf = await anyio.to_thread.run_sync(html_to_pdf, bytes(page.body).decode("utf-8"))
    headers = {
        **HEADERS,
        "Content-Disposition": f'inline; filename="{name}.pdf"',
    }
    return Response(pdf, media_type="application/pdf", headers=headers)


async def offer_pdf(request: Request) -> Response:
    return await _as_pdf(request, print_offer, "offer")


async def ipa_pdf(request: Request) -> Response:
    return await _as_pdf(request, print_ipa, "ipa")

"""``/organisation/documents``: the provider's profile documents with their expiry dates
(expiring within 30 days and expired are tagged) and uploading one."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from starlette.responses import Response

from web.forms import Form
from web.jsonschema_form import parse_date
from web.operations import operations
from web.page import Page, page

OPS = operations(__file__)

#: The kinds a provider uploads to its profile.
PROFILE_KINDS = (
    ("INSURANCE", "Insurance"),
    ("OFSTED_CERTIFICATE", "Ofsted certificate"),
    ("STATEMENT_OF_PURPOSE", "Statement of purpose"),
    ("APPENDIX", "Appendix"),
    ("OTHER", "Other"),
)
EXPIRING_WITHIN = timedelta(days=30)


def expiry_state(expires_on: str | None, today: date) -> str | None:
    """``EXPIRED``, ``EXPIRING`` (within 30 days) or None."""
    if not expires_on:
        return None
    day = date.fromisoformat(expires_on)
    if day <= today:
        return "EXPIRED"
    if day - today <= EXPIRING_WITHIN:
        return "EXPIRING"
    return None


@page("/organisation/documents", methods=("GET", "POST"), kinds=("PROVIDER",))
async def documents(p: Page) -> Response:
    if p.request.method == "POST":
        return await _upload(p)
    return await _show(p, Form(values={"kind": p.query_params.get("kind", "")}))


async def _show(p: Page, form: Form, status: int = 200) -> Response:
    data = await p.query(OPS["Documents"])
    today = date.today()
    rows: list[dict[str, Any]] = [
        {**d, "state": expiry_state(d["expiresOn"], today)}
        for d in data["viewer"]["organisation"]["documents"]
    ]
    return p.render(
        "organisation/documents.html",
        form=form,
        status=status,
        documents=rows,
        kinds=PROFILE_KINDS,
    )


async def _upload(p: Page) -> Response:
    values = await p.form_values()
    form = Form(values=values)
    upload = await p.file("file")
    kind = values.get("kind")
    if kind not in {k for k, _ in PROFILE_KINDS}:
        form.add("kind", "Select what kind of document it is")
    if upload is None:
        form.add("file", "Choose the file to upload")
    problems: list[tuple[str, str]] = []
    expires_on = parse_date(values, "expiresOn", "Expiry date", problems)
    for name, message in problems:
        form.add(name, message)
    if form:
        return await _show(p, form, status=400)
    outcome = await p.mutate(
        OPS["UploadDocument"],
        {"input": {"file": upload, "kind": kind, "expiresOn": expires_on}},
        form=form,
    )
    if not outcome.ok:
        return await _show(p, outcome.form, status=400)
    name = outcome["document"]["name"]
    return p.redirect("/organisation/documents", banner=f"{name} was uploaded.")

"""``/organisation/registration``: the provider's registration as a task list; download the
template, upload it; every error of the spreadsheet listed by sheet and cell."""

from __future__ import annotations

from typing import Any

from starlette.responses import Response

from web.forms import Form
from web.operations import operations
from web.page import Page, page

OPS = operations(__file__)

UPLOAD_ALLOWED = ("NOT_SUBMITTED", "OPEN_FOR_EDITING")
PROFILE_KINDS = ("INSURANCE", "OFSTED_CERTIFICATE", "STATEMENT_OF_PURPOSE")


@page("/organisation/registration", methods=("GET", "POST"), kinds=("PROVIDER",))
async def registration(p: Page) -> Response:
    if p.request.method == "POST":
        return await _upload(p)
    return await _show(p, Form(), [])


async def _show(
    p: Page, form: Form, cell_errors: list[dict[str, str]], status: int = 200
) -> Response:
    data = await p.query(OPS["Registration"])
    organisation = data["viewer"]["organisation"]
    current = organisation["registration"] or {"status": "NOT_SUBMITTED", "homes": []}
    kinds = {d["kind"] for d in organisation["documents"]}
    tasks = [
        {
            "title": "Download the registration template",
            "href": "/registration-template.xlsx",
            "status": "Done" if current.get("spreadsheet") else "Not started",
        },
        {
            "title": "Upload your completed spreadsheet",
            "href": "#upload",
            "status": _upload_status(current["status"], bool(cell_errors)),
        },
        {
            "title": "Upload your profile documents",
            "href": "/organisation/documents",
            "status": "Done" if all(k in kinds for k in PROFILE_KINDS) else "Not started",
        },
        {
            "title": "Approval by your managing local authority",
            "href": None,
            "status": _decision_status(current["status"]),
        },
    ]
    return p.render(
        "organisation/registration.html",
        form=form,
        status=status,
        registration=current,
        tasks=tasks,
        cell_errors=cell_errors,
        may_upload=current["status"] in UPLOAD_ALLOWED,
    )


def _upload_status(status: str, failed: bool) -> str:
    if failed:
        return "Has errors"
    return "Not started" if status == "NOT_SUBMITTED" else "Done"


def _decision_status(status: str) -> str:
    return {
        "NOT_SUBMITTED": "Cannot start yet",
        "PENDING_APPROVAL": "Waiting for a decision",
        "APPROVED": "Approved",
        "REJECTED": "Rejected",
        "OPEN_FOR_EDITING": "Changes asked for",
    }.get(status, status)


async def _upload(p: Page) -> Response:
    upload = await p.file("file")
    form = Form()
    if upload is None:
        form.add("file", "Choose your completed registration spreadsheet")
        return await _show(p, form, [], status=400)
    outcome = await p.mutate(OPS["UploadRegistration"], {"input": {"file": upload}}, form=Form())
    if outcome.ok:
        return p.redirect(
            "/organisation/registration",
            banner="Your registration was sent to your managing local authority for approval.",
        )
    # Cell errors ("Homes", "E7") are listed in a table; the rest go on the file field.
    cells: list[dict[str, str]] = []
    shown = Form()
    for error in outcome.payload.get("userErrors") or []:
        path: list[Any] = error.get("field") or []
        if len(path) == 2 and path[0] != "input":
            cells.append({"sheet": str(path[0]), "cell": str(path[1]), "message": error["message"]})
        else:
            shown.add("file", error["message"])
    for message in outcome.form.general:
        shown.add("file", message)
    if cells:
        count = f"{len(cells)} problem{'s' if len(cells) != 1 else ''}"
        shown.add(
            "file", f"The spreadsheet has {count}: fix each cell listed, then upload it again"
        )
    return await _show(p, shown, cells, status=400)

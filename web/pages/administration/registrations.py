"""``/registrations`` and ``/registrations/{id}``: the registrations an LA admin manages (a
platform admin: every LA's), the homes in a table, the spreadsheet to download; approve,
reject with a reason, open for editing."""

from __future__ import annotations

from typing import Any

from starlette.responses import Response

from web.forms import Form
from web.operations import operations
from web.page import Page, page
from web.pages.casework.common import require_roles

OPS = operations(__file__)

REVIEWERS = ("LA_ADMIN", "PLATFORM_ADMIN")
STATUSES = (
    ("PENDING_APPROVAL", "Pending approval"),
    ("OPEN_FOR_EDITING", "Open for editing"),
    ("APPROVED", "Approved"),
    ("REJECTED", "Rejected"),
    ("NOT_SUBMITTED", "Not submitted"),
)
DECISIONS = {
    "approve": (
        "ApproveRegistration",
        "Registration approved: its homes can now receive referrals",
    ),
    "reject": ("RejectRegistration", "Registration rejected: the provider is told your reason"),
    "open": ("OpenRegistrationForEditing", "Registration opened for editing"),
}


@page("/registrations")
async def registrations(p: Page) -> Response:
    await require_roles(p, REVIEWERS)
    status = p.query_params.get("status") or None
    if status not in {s for s, _ in STATUSES}:
        status = None
    data = await p.query(OPS["Registrations"], {"status": status})
    return p.render(
        "administration/registrations.html",
        registrations=data["registrations"],
        statuses=STATUSES,
        chosen=status or "",
    )


async def _registration(p: Page) -> dict[str, Any]:
    await require_roles(p, REVIEWERS)
    data = await p.query(OPS["Registration"], {"id": p.params["id"]})
    registration = data["node"]
    if not registration or "homes" not in registration:
        raise p.not_found()
    return {
        "registration": registration,
        "labels": {c["category"]: c["label"] for c in data["categories"]},
    }


@page("/registrations/{id}", methods=("GET", "POST"))
async def registration(p: Page) -> Response:
    view = await _registration(p)
    if p.request.method == "GET":
        return p.render("administration/registration.html", **view)
    values = await p.form_values()
    form = Form(values=values)
    decision = DECISIONS.get(str(values.get("decision") or ""))
    if decision is None:
        raise p.not_found()
    reason = str(values.get("reason") or "").strip() or None
    if values.get("decision") == "reject" and not reason:
        form.add("reason", "Enter why you are rejecting the registration")
        return p.render("administration/registration.html", form=form, status=400, **view)
    operation, banner = decision
    outcome = await p.mutate(
        OPS[operation],
        {
            "id": view["registration"]["id"],
            **({"reason": reason} if operation == "RejectRegistration" else {}),
        },
        form=form,
    )
    if not outcome.ok:
        return p.render("administration/registration.html", form=outcome.form, status=400, **view)
    return p.redirect(f"/registrations/{view['registration']['id']}", banner=banner)

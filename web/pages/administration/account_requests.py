"""``/organisation/account-requests``: the providers' requests for further accounts (one
person each), decided by their managing LA's admin or the platform: approving sends the
person an invitation email; rejecting needs a reason."""

from __future__ import annotations

from starlette.responses import Response

from web.forms import Form
from web.operations import operations
from web.page import Page, page
from web.pages.casework.common import require_roles

OPS = operations(__file__)

DECIDERS = ("LA_ADMIN", "PLATFORM_ADMIN")


@page("/organisation/account-requests", methods=("GET", "POST"))
async def account_requests(p: Page) -> Response:
    await require_roles(p, DECIDERS)
    data = await p.query(OPS["AccountRequests"])
    requests = data["accountRequests"]
    pending = [r for r in requests if r["status"] == "PENDING"]
    decided = [r for r in requests if r["status"] != "PENDING"]
    if p.request.method == "GET":
        return p.render("administration/account_requests.html", pending=pending, decided=decided)
    values = await p.form_values()
    form = Form(values=values)
    request_id = str(values.get("id") or "")
    approve = values.get("decision") == "approve"
    reason = str(values.get(f"reason-{request_id}") or "").strip() or None
    if not approve and not reason:
        form.add(f"reason-{request_id}", "Enter why you are refusing the account")
        return p.render(
            "administration/account_requests.html",
            pending=pending,
            decided=decided,
            form=form,
            status=400,
        )
    outcome = await p.mutate(
        OPS["DecideAccountRequest"],
        {"id": request_id, "approve": approve, "reason": reason},
        form=form,
    )
    if not outcome.ok:
        return p.render(
            "administration/account_requests.html",
            pending=pending,
            decided=decided,
            form=outcome.form,
            status=400,
        )
    banner = "Account approved: an invitation was emailed" if approve else "Account refused"
    return p.redirect("/organisation/account-requests", banner=banner)

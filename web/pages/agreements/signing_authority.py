"""``/account/signing-authority``: a signatory authorises a colleague to sign agreements on
their behalf (the seed's FAQ: a finance director without portal access), or withdraws it."""

from __future__ import annotations

from starlette.responses import Response

from web.forms import Form
from web.operations import operations
from web.page import Page, page
from web.pages.agreements.home import SIGNATORIES

OPS = operations(__file__)


@page("/account/signing-authority", methods=("GET", "POST"))
async def signing_authority(p: Page) -> Response:
    data = await p.query(OPS["SigningAuthority"])
    me = data["viewer"]
    if not set(me["roles"]) & SIGNATORIES:
        raise p.not_found()
    delegates = {d["id"] for d in me["signingDelegates"]}
    choices = [c for c in me["colleagues"] if c["id"] not in delegates]
    if p.request.method == "GET":
        return p.render("agreements/signing_authority.html", me=me, choices=choices)
    values = await p.form_values()
    form = Form(values=values)
    if values.get("revoke"):
        outcome = await p.mutate(
            OPS["RevokeSigningAuthority"], {"userId": values["revoke"]}, form=form
        )
        banner = "Authority withdrawn"
    elif values.get("userId"):
        outcome = await p.mutate(
            OPS["GrantSigningAuthority"], {"userId": values["userId"]}, form=form
        )
        banner = "Colleague authorised to sign on your behalf"
    else:
        form.add("userId", "Select the colleague to authorise")
        return p.render(
            "agreements/signing_authority.html", me=me, choices=choices, form=form, status=400
        )
    if not outcome.ok:
        return p.render(
            "agreements/signing_authority.html",
            me=me,
            choices=choices,
            form=outcome.form,
            status=400,
        )
    return p.redirect("/account/signing-authority", banner=banner)

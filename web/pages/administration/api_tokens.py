"""``/organisation/api-tokens``: an LA admin creates an API token for the LA's
case-management system (shown once, with a copy button), sees the LA's tokens with their last
use, and can revoke any of them."""

from __future__ import annotations

from starlette.responses import Response

from web.forms import Form
from web.operations import operations
from web.page import Page, page
from web.pages.casework.common import require_roles

OPS = operations(__file__)


@page("/organisation/api-tokens", methods=("GET", "POST"), kinds=("LOCAL_AUTHORITY",))
async def api_tokens(p: Page) -> Response:
    await require_roles(p, ("LA_ADMIN",))
    tokens = (await p.query(OPS["ApiTokens"]))["apiTokens"]
    if p.request.method == "GET":
        return p.render("administration/api_tokens.html", tokens=tokens)
    values = await p.form_values()
    form = Form(values=values)
    if values.get("revoke"):
        outcome = await p.mutate(OPS["RevokeApiToken"], {"id": values["revoke"]}, form=form)
        if not outcome.ok:
            return p.render(
                "administration/api_tokens.html", tokens=tokens, form=outcome.form, status=400
            )
        return p.redirect("/organisation/api-tokens", banner="API token revoked")
    name = str(values.get("name") or "").strip()
    if not name:
        form.add("name", "Enter a name for the token, such as the system that will use it")
        return p.render("administration/api_tokens.html", tokens=tokens, form=form, status=400)
    outcome = await p.mutate(OPS["CreateApiToken"], {"name": name}, form=form)
    if not outcome.ok:
        return p.render(
            "administration/api_tokens.html", tokens=tokens, form=outcome.form, status=400
        )
    tokens = (await p.query(OPS["ApiTokens"]))["apiTokens"]
    # Shown on this answer only (no redirect carries it): the portal keeps only its hash.
    response = p.render(
        "administration/api_tokens.html",
        created=outcome["apiToken"],
        token=outcome["token"],
        tokens=tokens,
    )
    response.headers["Cache-Control"] = "no-store"
    return response

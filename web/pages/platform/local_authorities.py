"""``/admin/local-authorities``: the platform admin creates an LA (name, short code) and
chooses the categories each LA may send referrals in (the pilot control)."""

from __future__ import annotations

from typing import Any

from starlette.responses import Response

from web.forms import Form
from web.operations import operations
from web.page import Page, page
from web.pages.casework.common import require_roles

OPS = operations(__file__)

ADMINS = ("PLATFORM_ADMIN",)


async def _view(p: Page) -> dict[str, Any]:
    await require_roles(p, ADMINS)
    data = await p.query(OPS["LocalAuthorities"])
    labels = {c["category"]: c["label"] for c in data["categories"]}
    return {
        "authorities": [
            {**a, "labels": [labels.get(c, c) for c in a["enabledCategories"]]}
            for a in data["organisations"]
        ],
        "categories": [(c["category"], c["label"]) for c in data["categories"]],
    }


def _chosen(values: dict[str, Any], name: str) -> list[str]:
    chosen = values.get(name) or []
    return [chosen] if isinstance(chosen, str) else list(chosen)


@page("/admin/local-authorities", methods=("GET", "POST"))
async def local_authorities(p: Page) -> Response:
    view = await _view(p)
    if p.request.method == "GET":
        return p.render("platform/local_authorities.html", **view)
    values = await p.form_values()
    form = Form(values=values)
    name = str(values.get("name") or "").strip()
    code = str(values.get("code") or "").strip().upper()
    if not name:
        form.add("name", "Enter the local authority's name")
    if not code:
        form.add("code", "Enter a short code, such as BIR")
    if form:
        return p.render("platform/local_authorities.html", form=form, status=400, **view)
    outcome = await p.mutate(
        OPS["CreateLocalAuthority"],
        {
            "input": {
                "name": name,
                "code": code,
                "enabledCategories": _chosen(values, "enabledCategories"),
            }
        },
        form=form,
    )
    if not outcome.ok:
        return p.render("platform/local_authorities.html", form=outcome.form, status=400, **view)
    return p.redirect(
        "/admin/local-authorities", banner=f"{outcome['organisation']['name']} created"
    )


@page("/admin/local-authorities/{id}", methods=("GET", "POST"))
async def local_authority(p: Page) -> Response:
    view = await _view(p)
    authority = next((a for a in view["authorities"] if a["id"] == p.params["id"]), None)
    if authority is None:
        raise p.not_found()
    if p.request.method == "GET":
        return p.render("platform/local_authority.html", authority=authority, **view)
    values = await p.form_values()
    form = Form(values=values)
    outcome = await p.mutate(
        OPS["SetEnabledCategories"],
        {"organisationId": authority["id"], "categories": _chosen(values, "categories")},
        form=form,
    )
    if not outcome.ok:
        return p.render(
            "platform/local_authority.html",
            authority=authority,
            form=outcome.form,
            status=400,
            **view,
        )
    return p.redirect(
        "/admin/local-authorities",
        banner=f"{authority['name']} may now send referrals in the categories chosen",
    )

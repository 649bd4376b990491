"""``/categories/{value}/settings``: a category lead changes a category's settings, on a
form drawn from the plugin's settings schema; each setting's description (the plugin's own
words) says what it does to the next referral sent. A change applies from the next send."""

from __future__ import annotations

from typing import Any

from starlette.responses import Response

from web.forms import Form
from web.jsonschema_form import parse_form, schema_fields
from web.operations import operations
from web.page import Page, page
from web.pages.casework.common import require_roles

OPS = operations(__file__)

LEADS = ("CATEGORY_LEAD", "PLATFORM_ADMIN")


async def _category(p: Page) -> dict[str, Any]:
    await require_roles(p, LEADS)
    data = await p.query(OPS["CategorySettings"])
    found = next((c for c in data["categories"] if c["category"] == p.params["value"]), None)
    if found is None:
        raise p.not_found()
    return found


@page("/categories/{value}/settings", methods=("GET", "POST"))
async def category_settings(p: Page) -> Response:
    category = await _category(p)
    fields = schema_fields(category["settingsSchema"], "settings", value=category["settings"])
    if p.request.method == "GET":
        return p.render("categories/settings.html", category=category, fields=fields)
    values = await p.form_values()
    form = Form(values=values)
    settings, problems = parse_form(category["settingsSchema"], "settings", values)
    for name, message in problems:
        form.add(name, message)
    if form:
        return p.render(
            "categories/settings.html", category=category, fields=fields, form=form, status=400
        )
    outcome = await p.mutate(
        OPS["UpdateCategorySettings"],
        {"category": category["category"], "settings": settings},
        form=form,
    )
    if not outcome.ok:
        return p.render(
            "categories/settings.html",
            category=category,
            fields=fields,
            form=outcome.form,
            status=400,
        )
    return p.redirect(
        f"/categories/{category['category']}/settings",
        banner=f"{category['label']} settings saved: they apply from the next referral sent",
    )


@page("/categories")
async def categories(p: Page) -> Response:
    await require_roles(p, LEADS)
    data = await p.query(OPS["CategorySettings"])
    return p.render("categories/categories.html", categories=data["categories"])

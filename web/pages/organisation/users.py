"""``/organisation/users``: the organisation's people and roles; add a colleague (an LA admin
invites them; a provider admin asks its managing LA for the account, which invites them once
approved); change a person's roles (``/organisation/users/{id}``). For organisation admins."""

from __future__ import annotations

from typing import Any

from starlette.responses import Response

from web.forms import Form
from web.operations import operations
from web.page import Page, page

OPS = operations(__file__)

ROLES_OF = {
    "PROVIDER": (
        ("PROVIDER_ADMIN", "Administrator", "Registration, documents and people"),
        ("PROVIDER_USER", "Referrals and offers", "Read referrals, message, make offers"),
        ("PROVIDER_SIGNATORY", "Signatory", "Signs placement agreements"),
    ),
    "LOCAL_AUTHORITY": (
        ("LA_ADMIN", "Administrator", "People, registrations and API tokens"),
        ("LA_CASEWORKER", "Caseworker", "Referrals, offers and agreements"),
        ("LA_SIGNATORY", "Signatory", "Signs placement agreements"),
    ),
}
ADMIN_ROLES = {"PROVIDER_ADMIN", "LA_ADMIN"}
EMAIL_RULE = (
    "Each person needs their own work email address: an address can belong to one account "
    "only, and shared mailboxes (such as info@, office@ or referrals@) are not accepted."
)


async def _people(p: Page) -> dict[str, Any]:
    data = await p.query(OPS["People"])
    viewer = data["viewer"]
    if not ADMIN_ROLES & set(viewer["roles"]):
        raise p.not_found()
    return {**viewer, "requests": data["accountRequests"]}


@page("/organisation/users", methods=("GET", "POST"), kinds=("PROVIDER", "LOCAL_AUTHORITY"))
async def users(p: Page) -> Response:
    viewer = await _people(p)
    if p.request.method == "GET":
        return _render(p, viewer, Form())
    values = await p.form_values()
    form = Form(values=values)
    roles = values.get("roles") or []
    roles = roles if isinstance(roles, list) else [roles]
    if not str(values.get("name", "")).strip():
        form.add("name", "Enter the person's full name")
    if not str(values.get("email", "")).strip():
        form.add("email", "Enter the person's email address")
    if not roles:
        form.add("roles", "Select at least one role")
    if form:
        return _render(p, viewer, form, status=400)
    person = {"name": values["name"].strip(), "email": values["email"].strip(), "roles": roles}
    if viewer["organisation"]["kind"] == "PROVIDER":
        outcome = await p.mutate(OPS["RequestAccount"], {"input": person}, form=form)
        banner = (
            f"You asked for an account for {person['email']}. Your managing local authority "
            "approves it, then they are emailed an invitation."
        )
    else:
        invite = {**person, "organisationId": viewer["organisation"]["id"]}
        outcome = await p.mutate(OPS["InviteUser"], {"input": invite}, form=form)
        banner = f"An invitation was emailed to {person['email']}."
    if not outcome.ok:
        return _render(p, viewer, outcome.form, status=400)
    return p.redirect("/organisation/users", banner=banner)


def _render(p: Page, viewer: dict[str, Any], form: Form, status: int = 200) -> Response:
    kind = viewer["organisation"]["kind"]
    return p.render(
        "organisation/users.html",
        form=form,
        status=status,
        organisation=viewer["organisation"],
        requests=[r for r in viewer["requests"] if r["status"] == "PENDING"],
        asks=kind == "PROVIDER",
        roles=ROLES_OF.get(kind, ()),
        email_rule=EMAIL_RULE,
    )


@page("/organisation/users/{id}", methods=("GET", "POST"), kinds=("PROVIDER", "LOCAL_AUTHORITY"))
async def person(p: Page) -> Response:
    viewer = await _people(p)
    member = next((u for u in viewer["organisation"]["users"] if u["id"] == p.params["id"]), None)
    if member is None:
        raise p.not_found()
    roles = ROLES_OF.get(viewer["organisation"]["kind"], ())
    if p.request.method == "GET":
        return p.render("organisation/person.html", member=member, roles=roles)
    values = await p.form_values()
    chosen = values.get("roles") or []
    chosen = chosen if isinstance(chosen, list) else [chosen]
    form = Form(values={"roles": chosen})
    if not chosen:
        form.add("roles", "Select at least one role")
        return p.render(
            "organisation/person.html", member=member, roles=roles, form=form, status=400
        )
    outcome = await p.mutate(
        OPS["SetRoles"], {"input": {"userId": member["id"], "roles": chosen}}, form=form
    )
    if not outcome.ok:
        return p.render(
            "organisation/person.html", member=member, roles=roles, form=outcome.form, status=400
        )
    return p.redirect("/organisation/users", banner=f"{member['name']}'s roles were changed.")

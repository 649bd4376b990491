"""``/accept-invitation?token=...`` (an invited person sets a password), ``/sign-up`` (a
provider asks to register its organisation and first admin: the answer is always "check your
email") and ``/finish-sign-up?token=...`` (the emailed link: the password chosen at sign-up
completes it)."""

from __future__ import annotations

from starlette.responses import Response

from web.forms import Form
from web.operations import operations
from web.page import Page, page

OPS = operations(__file__)


def _passwords(values: dict[str, str], form: Form) -> None:
    if not values.get("password"):
        form.add("password", "Enter a password")
    elif values.get("password") != values.get("confirm"):
        form.add("confirm", "The two passwords do not match")


def _token_page_errors(answered: Form) -> Form:
    """The errors of a mutation given a link's token and a password: the token is not a field
    the person can change, so its problems are the page's; the password's stay on its field."""
    shown = Form(values={})
    for name, message in answered.errors.items():
        shown.add("password" if name == "password" else None, message)
    for message in answered.general:
        shown.add(None, message)
    return shown


@page("/accept-invitation", methods=("GET", "POST"), signed_in=False)
async def accept_invitation(p: Page) -> Response:
    token = p.query_params.get("token", "")
    if p.request.method == "GET":
        return p.render("auth/accept_invitation.html", token=token)
    values = await p.form_values()
    token = values.get("token", token)
    form = Form(values={})
    _passwords(values, form)
    if form:
        return p.render("auth/accept_invitation.html", token=token, form=form, status=400)
    outcome = await p.mutate(
        OPS["AcceptInvitation"],
        {"input": {"token": token, "password": values["password"]}},
        form=form,
    )
    if not outcome.ok:
        shown = _token_page_errors(outcome.form)
        return p.render("auth/accept_invitation.html", token=token, form=shown, status=400)
    return p.redirect("/sign-in", banner="Your password is set. Sign in to continue.")


@page("/sign-up", methods=("GET", "POST"), signed_in=False)
async def sign_up(p: Page) -> Response:
    if p.request.method == "GET":
        return p.render("auth/sign_up.html")
    values = await p.form_values()
    form = Form(values={k: v for k, v in values.items() if k not in ("password", "confirm")})
    for name, message in (
        ("organisationName", "Enter your organisation's name"),
        ("name", "Enter your full name"),
        ("email", "Enter your email address"),
    ):
        if not str(values.get(name, "")).strip():
            form.add(name, message)
    _passwords(values, form)
    if form:
        return p.render("auth/sign_up.html", form=form, status=400)
    outcome = await p.mutate(
        OPS["SignUp"],
        {
            "input": {
                "organisationName": values["organisationName"].strip(),
                "name": values["name"].strip(),
                "email": values["email"].strip(),
                "password": values["password"],
            }
        },
        form=form,
    )
    if not outcome.ok:
        return p.render("auth/sign_up.html", form=outcome.form, status=400)
    # The same page whether or not the address has an account: the email says which.
    return p.render("auth/sign_up_sent.html", email=values["email"].strip())


@page("/finish-sign-up", methods=("GET", "POST"), signed_in=False)
async def finish_sign_up(p: Page) -> Response:
    token = p.query_params.get("token", "")
    if p.request.method == "GET":
        return p.render("auth/finish_sign_up.html", token=token)
    values = await p.form_values()
    token = values.get("token", token)
    form = Form(values={})
    if not values.get("password"):
        form.add("password", "Enter the password you chose when you registered")
        return p.render("auth/finish_sign_up.html", token=token, form=form, status=400)
    outcome = await p.mutate(
        OPS["AcceptInvitation"],
        {"input": {"token": token, "password": values["password"]}},
        form=form,
    )
    if not outcome.ok:
        shown = _token_page_errors(outcome.form)
        return p.render("auth/finish_sign_up.html", token=token, form=shown, status=400)
    return p.redirect(
        "/sign-in", banner="Your organisation is registered. Sign in to set up your account."
    )

"""Signing in: ``/sign-in`` (email address and password), ``/sign-in/authenticator`` (the
first time: the QR code and the secret of a new authenticator, then a code; later: the
code), ``/sign-out``. The session is the API's own (``verifyTotp`` sets its cookie)."""

from __future__ import annotations

import segno
from markupsafe import Markup
from starlette.responses import Response

from web.forms import Form
from web.operations import operations
from web.page import Page, page

OPS = operations(__file__)

#: The password step's challenge, carried to the authenticator step (HttpOnly, 5 minutes).
CHALLENGE_COOKIE = "portal_sign_in"


def safe_next(target: str | None) -> str:
    """Only a path of this portal (never another site) to go to after signing in."""
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return "/"
    return target


def qr_svg(uri: str) -> Markup:
    """The ``otpauth://`` URI as an inline SVG QR code, drawn here (no image from elsewhere)."""
    svg = segno.make(uri, error="m").svg_inline(scale=5, border=2)
    svg = svg.replace(
        "<svg ",
        '<svg role="img" aria-label="QR code for your authenticator app" focusable="false" ',
        1,
    )
    return Markup(svg)  # segno's own SVG of our URI: nothing of the visitor's


@page("/sign-in", methods=("GET", "POST"), signed_in=False)
async def sign_in(p: Page) -> Response:
    next_path = safe_next(p.query_params.get("next"))
    if p.request.method == "GET":
        return p.render("auth/sign_in.html", next_path=next_path)
    values = await p.form_values()
    next_path = safe_next(values.get("next"))
    form = Form(values={"email": values.get("email", "")})
    if not values.get("email"):
        form.add("email", "Enter your email address")
    if not values.get("password"):
        form.add("password", "Enter your password")
    if form:
        return p.render("auth/sign_in.html", form=form, next_path=next_path, status=400)
    outcome = await p.mutate(
        OPS["SignIn"],
        {"input": {"email": values["email"], "password": values["password"]}},
        form=form,
    )
    if not outcome.ok:
        # Never say which of the two was wrong: the message is the API's, on the email.
        errors = Form(values=form.values)
        for message in [*outcome.form.errors.values(), *outcome.form.general]:
            errors.add("email", message)
        return p.render("auth/sign_in.html", form=errors, next_path=next_path, status=400)
    response = p.redirect("/sign-in/authenticator")
    response.set_cookie(
        CHALLENGE_COOKIE,
        f"{outcome['nextStep']}|{outcome['challenge']}|{next_path}",
        max_age=300,
        httponly=True,
        samesite="lax",
        secure=p.web.settings.secure_cookies,
        path="/sign-in",
    )
    return response


def _challenge(p: Page) -> tuple[str, str, str] | None:
    value = p.request.cookies.get(CHALLENGE_COOKIE, "")
    step, _, rest = value.partition("|")
    token, _, next_path = rest.partition("|")
    if step not in ("ENROL_TOTP", "VERIFY_TOTP") or not token:
        return None
    return step, token, safe_next(next_path)


def _expired(p: Page) -> Response:
    response = p.redirect("/sign-in", banner=None)
    response.delete_cookie(CHALLENGE_COOKIE, path="/sign-in")
    return response


@page("/sign-in/authenticator", methods=("GET", "POST"), signed_in=False)
async def authenticator(p: Page) -> Response:
    challenge = _challenge(p)
    if challenge is None:
        return _expired(p)
    step, token, next_path = challenge
    if p.request.method == "GET":
        enrolment = None
        if step == "ENROL_TOTP":
            outcome = await p.mutate(OPS["EnrolAuthenticator"], {"input": {"challenge": token}})
            if not outcome.ok:
                return _expired(p)
            enrolment = {"uri": outcome["provisioningUri"], "secret": outcome["secret"]}
        return _render(p, step, enrolment, Form())
    values = await p.form_values()
    enrolment = None
    if step == "ENROL_TOTP" and values.get("uri") and values.get("secret"):
        enrolment = {"uri": values["uri"], "secret": values["secret"]}
    code = "".join(str(values.get("code", "")).split())
    form = Form(values={"code": code})
    if not code:
        form.add("code", "Enter the 6-digit code from your authenticator app")
        return _render(p, step, enrolment, form, status=400)
    outcome = await p.mutate(
        OPS["VerifyCode"], {"input": {"challenge": token, "code": code}}, form=form
    )
    if not outcome.ok:
        if "challenge" in outcome.form.errors:
            response = p.redirect("/sign-in", banner=None)
            response.delete_cookie(CHALLENGE_COOKIE, path="/sign-in")
            return response
        return _render(p, step, enrolment, outcome.form, status=400)
    response = p.redirect(next_path)
    response.delete_cookie(CHALLENGE_COOKIE, path="/sign-in")
    return response


def _render(
    p: Page, step: str, enrolment: dict[str, str] | None, form: Form, status: int = 200
) -> Response:
    return p.render(
        "auth/authenticator.html",
        form=form,
        enrolling=step == "ENROL_TOTP",
        enrolment=enrolment,
        qr=qr_svg(enrolment["uri"]) if enrolment else None,
        status=status,
    )


@page("/sign-out", methods=("POST",), signed_in=False)
async def sign_out(p: Page) -> Response:
    header = await p.header()
    if header.viewer is not None:
        await p.mutate(OPS["SignOut"])
    return p.redirect("/", banner="You have signed out.")

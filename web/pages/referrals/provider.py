"""A provider's referral: ``/referrals/{id}`` (the summary as delivered, children, forms to
download, its matching homes, the thread with the LA, its offer) and
``/referrals/{id}/decline`` (a reason, required)."""

from __future__ import annotations

from typing import Any

from starlette.responses import Response

from web.forms import Form
from web.jsonschema_form import describe
from web.operations import operations
from web.page import Page, page

OPS = operations(__file__)

LIVE_OFFER = ("SUBMITTED", "ACCEPTED")


async def _referral(p: Page) -> tuple[dict[str, Any], dict[str, Any]]:
    data = await p.query(OPS["ProviderReferral"], {"id": p.params["id"]})
    referral = data["node"]
    if not referral or "reference" not in referral or referral.get("myDelivery") is None:
        raise p.not_found()
    return data, referral


@page("/referrals/{id}", methods=("GET", "POST"), kinds=("PROVIDER",))
async def referral_page(p: Page) -> Response:
    if p.request.method == "POST":
        return await _send_message(p)
    return await _show(p, Form())


async def _show(p: Page, form: Form, status: int = 200) -> Response:
    data, referral = await _referral(p)
    category = next(c for c in data["categories"] if c["category"] == referral["category"])
    thread = referral["thread"]
    live = [o for o in referral["offers"] if o["status"] in LIVE_OFFER]
    response = p.render(
        "referrals/provider.html",
        form=form,
        status=status,
        referral=referral,
        category=category,
        details=describe(category["referralDetailsSchema"], referral["details"]),
        thread=thread,
        offer=live[0] if live else None,
        past_offers=[o for o in referral["offers"] if o["status"] not in LIVE_OFFER],
    )
    # Opened: its messages and its notifications are no longer new to this person (after the
    # page is drawn, so it still shows what was new).
    if thread and thread["newCount"]:
        await p.mutate(OPS["ReadThread"], {"input": {"threadId": thread["id"]}}, form=Form())
    about = [
        edge["node"]["id"]
        for edge in data["notifications"]["edges"]
        if edge["node"]["subjectId"] == referral["id"]
    ]
    if about:
        await p.mutate(OPS["MarkRead"], {"input": {"ids": about}}, form=Form())
    return response


async def _send_message(p: Page) -> Response:
    values = await p.form_values()
    body = str(values.get("body", "")).strip()
    form = Form(values={"body": values.get("body", "")})
    if not body:
        form.add("body", "Enter your message")
        return await _show(p, form, status=400)
    outcome = await p.mutate(
        OPS["SendMessage"], {"input": {"referralId": p.params["id"], "body": body}}, form=form
    )
    if not outcome.ok:
        return await _show(p, outcome.form, status=400)
    return p.redirect(f"/referrals/{p.params['id']}#messages", banner="Your message was sent.")


@page("/referrals/{id}/decline", methods=("GET", "POST"), kinds=("PROVIDER",))
async def decline(p: Page) -> Response:
    _, referral = await _referral(p)
    if p.request.method == "GET":
        return p.render("referrals/decline.html", referral=referral)
    values = await p.form_values()
    reason = str(values.get("reason", "")).strip()
    form = Form(values={"reason": values.get("reason", "")})
    if not reason:
        form.add("reason", "Enter why you are declining the referral")
        return p.render("referrals/decline.html", referral=referral, form=form, status=400)
    outcome = await p.mutate(
        OPS["DeclineReferral"], {"input": {"id": referral["id"], "reason": reason}}, form=form
    )
    if not outcome.ok:
        return p.render("referrals/decline.html", referral=referral, form=outcome.form, status=400)
    return p.redirect(f"/referrals/{referral['id']}", banner="You declined the referral.")

"""``/referrals/{id}/messages/{provider}``: the LA's thread with one provider that received
the referral (one thread per referral and provider). Reading it marks it read: the "New"
labels show on this visit and are gone on the next, as the seed's FAQ describes."""

from __future__ import annotations

from typing import Any

from starlette.responses import Response

from web.forms import Form
from web.operations import operations
from web.page import Page, page
from web.pages.casework.common import LA, require_la_staff

OPS = operations(__file__)


async def _thread(p: Page) -> tuple[dict[str, Any], dict[str, Any] | None, dict[str, Any]]:
    await require_la_staff(p)
    data = await p.query(OPS["LaThread"], {"id": p.params["id"], "provider": p.params["provider"]})
    referral = data["node"]
    if not referral or "reference" not in referral:
        raise p.not_found()
    provider = next(
        (
            d["provider"]
            for d in referral["deliveries"]
            if d["provider"]["id"] == p.params["provider"]
        ),
        None,
    )
    if provider is None:  # only providers that received it have a thread with the LA
        raise p.not_found()
    return referral, referral["thread"], provider


@page("/referrals/{id}/messages/{provider}", methods=("GET", "POST"), kinds=LA)
async def thread(p: Page) -> Response:
    referral, found, provider = await _thread(p)
    if p.request.method == "POST":
        values = await p.form_values()
        form = Form(values=values)
        body = str(values.get("body") or "").strip()
        if not body:
            form.add("body", "Enter your message")
        else:
            outcome = await p.mutate(
                OPS["SendMessageToProvider"],
                {"referralId": referral["id"], "providerId": provider["id"], "body": body},
                form=form,
            )
            if outcome.ok:
                return p.redirect(p.request.url.path, banner=f"Message sent to {provider['name']}")
            form = outcome.form
        return _render(p, referral, found, provider, form, status=400)
    response = _render(p, referral, found, provider, Form())
    if found and found["newCount"]:
        await p.mutate(OPS["MarkThreadRead"], {"threadId": found["id"]}, form=Form())
    return response


def _render(
    p: Page,
    referral: dict[str, Any],
    found: dict[str, Any] | None,
    provider: dict[str, Any],
    form: Form,
    status: int = 200,
) -> Response:
    return p.render(
        "casework/thread.html",
        referral=referral,
        messages=(found or {}).get("messages") or [],
        provider=provider,
        form=form,
        status=status,
    )

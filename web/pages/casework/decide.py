"""The LA decides an offer: ``/offers/{id}/accept`` (a confirmation that says the other
offers will be declined) and ``/offers/{id}/decline`` (a reason, required: the provider
sees it)."""

from __future__ import annotations

from typing import Any

from starlette.responses import Response

from web.forms import Form
from web.operations import operations
from web.page import Page, page
from web.pages.casework.common import LA, require_la_staff

OPS = operations(__file__)


async def _offer(p: Page) -> dict[str, Any]:
    await require_la_staff(p)
    offer = (await p.query(OPS["OfferToDecide"], {"id": p.params["id"]}))["node"]
    if not offer or "coreFee" not in offer:
        raise p.not_found()
    return offer


def _others(offer: dict[str, Any]) -> list[dict[str, Any]]:
    return [
        o
        for o in offer["referral"]["offers"]
        if o["id"] != offer["id"] and o["status"] == "SUBMITTED"
    ]


@page("/offers/{id}/accept", methods=("GET", "POST"), kinds=LA)
async def accept(p: Page) -> Response:
    offer = await _offer(p)
    others = _others(offer)
    if p.request.method == "GET":
        return p.render("casework/accept.html", offer=offer, others=others)
    outcome = await p.mutate(OPS["AcceptOffer"], {"id": offer["id"]}, form=Form())
    if not outcome.ok:
        return p.render(
            "casework/accept.html", offer=offer, others=others, form=outcome.form, status=400
        )
    declined = f"; the other {len(others)} declined" if others else ""
    return p.redirect(
        f"/referrals/{offer['referral']['id']}",
        banner=f"Offer from {offer['provider']['name']} accepted{declined}",
    )


@page("/offers/{id}/decline", methods=("GET", "POST"), kinds=LA)
async def decline(p: Page) -> Response:
    offer = await _offer(p)
    if p.request.method == "GET":
        return p.render("casework/decline.html", offer=offer)
    values = await p.form_values()
    form = Form(values=values)
    reason = str(values.get("reason") or "").strip()
    if not reason:
        form.add("reason", "Enter why you are declining the offer")
        return p.render("casework/decline.html", offer=offer, form=form, status=400)
    outcome = await p.mutate(OPS["DeclineOffer"], {"id": offer["id"], "reason": reason}, form=form)
    if not outcome.ok:
        return p.render("casework/decline.html", offer=offer, form=outcome.form, status=400)
    return p.redirect(
        f"/referrals/{offer['referral']['id']}",
        banner=f"Offer from {offer['provider']['name']} declined",
    )


@page("/offers/{id}", kinds=LA)
async def la_offer(p: Page) -> Response:
    offer = await _offer(p)
    return p.render("casework/offer.html", offer=offer, others=_others(offer))

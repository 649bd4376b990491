"""``/offers/{id}``: the provider's offer (its printable view is ``/offers/{id}/print``), and
withdrawing a submitted one."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from starlette.responses import Response

from web.forms import Form
from web.jsonschema_form import describe
from web.operations import operations
from web.page import Page, page

OPS = operations(__file__)


async def _offer(p: Page) -> tuple[dict[str, Any], dict[str, Any]]:
    data = await p.query(OPS["Offer"], {"id": p.params["id"]})
    offer = data["node"]
    if not offer or "coreFee" not in offer:
        raise p.not_found()
    return data, offer


def weekly_total(offer: dict[str, Any]) -> Decimal:
    """The core fee and the weekly additional costs."""
    total = Decimal(str(offer["coreFee"]))
    for cost in offer["additionalCosts"]:
        if cost["frequency"] == "WEEKLY":
            total += Decimal(str(cost["amount"]))
    return total


@page("/offers/{id}", kinds=("PROVIDER",))
async def offer_page(p: Page) -> Response:
    data, offer = await _offer(p)
    category = next(c for c in data["categories"] if c["category"] == offer["referral"]["category"])
    return p.render(
        "offers/offer.html",
        offer=offer,
        category=category,
        details=describe(category["offerDetailsSchema"], offer["details"]),
        total=weekly_total(offer),
    )


@page("/offers/{id}/withdraw", methods=("POST",), kinds=("PROVIDER",))
async def withdraw(p: Page) -> Response:
    _, offer = await _offer(p)
    outcome = await p.mutate(OPS["WithdrawOffer"], {"input": {"id": offer["id"]}}, form=Form())
    if not outcome.ok:
        message = " ".join([*outcome.form.errors.values(), *outcome.form.general])
        return p.redirect(
            f"/offers/{offer['id']}", banner=f"The offer was not withdrawn: {message}"
        )
    return p.redirect(f"/offers/{offer['id']}", banner="Your offer was withdrawn.")

"""The LA's referral: ``/referrals/{id}`` (status, version, who received it, the offers side
by side), ``/referrals/{id}/check`` (check your answers, then "Send referral"),
``/referrals/{id}/send``, ``/referrals/{id}/withdraw`` and generating the agreement from the
accepted offer."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from starlette.responses import Response

from web.forms import Form
from web.operations import operations
from web.page import Page, page
from web.pages.casework.common import (
    LA,
    category_of,
    children_text,
    declined_earlier,
    require_la_staff,
    schema_summary,
    unsent_version,
)

OPS = operations(__file__)


async def _referral(p: Page) -> tuple[dict[str, Any], dict[str, Any]]:
    await require_la_staff(p)
    data = await p.query(OPS["LaReferral"], {"id": p.params["id"]})
    referral = data["node"]
    if not referral or "reference" not in referral:
        raise p.not_found()
    category = category_of(data["categories"], referral["category"]) or {
        "category": referral["category"],
        "label": referral["category"],
        "referralDetailsSchema": {},
        "offerDetailsSchema": {},
    }
    return referral, dict(category)


def _view(referral: Mapping[str, Any], category: Mapping[str, Any]) -> dict[str, Any]:
    offers = [
        {**o, "details_rows": schema_summary(category["offerDetailsSchema"], o["details"])}
        for o in referral["offers"]
    ]
    return {
        "referral": referral,
        "category": category,
        "children": children_text(referral["children"]),
        "details_rows": schema_summary(category["referralDetailsSchema"], referral["details"]),
        "offers": offers,
        "live_offers": [o for o in offers if o["status"] in ("SUBMITTED", "ACCEPTED")],
        "past_offers": [o for o in offers if o["status"] not in ("SUBMITTED", "ACCEPTED")],
        "accepted": next((o for o in offers if o["status"] == "ACCEPTED"), None),
        "received": len(referral["deliveries"]),
        "declined": [d for d in referral["deliveries"] if d["status"] == "DECLINED"],
        "offered": [d for d in referral["deliveries"] if d["status"] == "OFFERED"],
        "declined_earlier": declined_earlier(referral),
        "unsent": unsent_version(referral),
    }


@page("/referrals/{id}", kinds=LA)
async def la_referral(p: Page) -> Response:
    referral, category = await _referral(p)
    viewed = None
    if "LA_ADMIN" in (await p.header()).roles:  # the access log is for the LA's admins
        viewed = (await p.query(OPS["WhoHasViewed"], {"id": referral["id"]}))["referralAccessLog"]
    return p.render("casework/referral.html", viewed=viewed, **_view(referral, category))


@page("/referrals/{id}/check", kinds=LA)
async def check_answers(p: Page) -> Response:
    referral, category = await _referral(p)
    if referral["status"] not in ("DRAFT", "SENT"):
        return p.redirect(f"/referrals/{referral['id']}")
    return p.render("casework/check.html", **_view(referral, category))


@page("/referrals/{id}/send", methods=("POST",), kinds=LA)
async def send(p: Page) -> Response:
    referral, category = await _referral(p)
    outcome = await p.mutate(OPS["SendReferral"], {"id": referral["id"]}, form=Form())
    if not outcome.ok:
        return p.render(
            "casework/check.html", form=outcome.form, status=400, **_view(referral, category)
        )
    count = outcome["deliveredCount"]
    noun = "provider" if count == 1 else "providers"
    return p.redirect(
        f"/referrals/{referral['id']}",
        banner=f"Referral sent: {count} {noun} received version {outcome['referral']['version']}",
    )


@page("/referrals/{id}/withdraw", methods=("GET", "POST"), kinds=LA)
async def withdraw(p: Page) -> Response:
    referral, _ = await _referral(p)
    if p.request.method == "GET":
        return p.render("casework/withdraw.html", referral=referral)
    values = await p.form_values()
    form = Form(values=values)
    reason = str(values.get("reason") or "").strip()
    if not reason:
        form.add("reason", "Enter why you are withdrawing the referral")
        return p.render("casework/withdraw.html", referral=referral, form=form, status=400)
    outcome = await p.mutate(
        OPS["WithdrawReferral"], {"id": referral["id"], "reason": reason}, form=form
    )
    if not outcome.ok:
        return p.render("casework/withdraw.html", referral=referral, form=outcome.form, status=400)
    return p.redirect(f"/referrals/{referral['id']}", banner="Referral withdrawn")


@page("/offers/{id}/agreement", methods=("POST",), kinds=LA)
async def generate_agreement(p: Page) -> Response:
    await require_la_staff(p)
    found = (await p.query(OPS["OfferReferral"], {"id": p.params["id"]}))["node"]
    if not found or "referral" not in found:
        raise p.not_found()
    outcome = await p.mutate(OPS["GenerateIpa"], {"offerId": found["id"]}, form=Form())
    if not outcome.ok:
        p.request.path_params["id"] = found["referral"]["id"]
        referral, category = await _referral(p)
        return p.render(
            "casework/referral.html", form=outcome.form, status=400, **_view(referral, category)
        )
    return p.redirect(
        f"/agreements/{outcome['ipa']['id']}",
        banner="Agreement drafted from the accepted offer: check it and add your details",
    )

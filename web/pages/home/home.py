"""``/``: signed out, what the portal is and "Sign in"; signed in, the person's home made of
the sections registered with :func:`web.home.home_section` (the provider's are here)."""

from __future__ import annotations

from typing import Any

from starlette.responses import Response

from web.home import SECTIONS, home_section
from web.operations import operations
from web.page import Header, Page, page

OPS = operations(__file__)

PROVIDER_STAFF = {"PROVIDER_ADMIN", "PROVIDER_USER"}


@page("/", signed_in=False)
async def home(p: Page) -> Response:
    header = await p.header()
    if header.viewer is None:
        return p.render("home/signed_out.html")
    sections = []
    for section in SECTIONS:
        made = await section.make(p, header)
        if made is not None:
            sections.append(made)
    return p.render("home/home.html", sections=sections)


@home_section(order=10)
async def provider_work(p: Page, header: Header) -> tuple[str, dict[str, Any]] | None:
    if header.organisation_kind != "PROVIDER" or not header.roles & PROVIDER_STAFF:
        return None
    data = await p.query(OPS["ProviderHome"])
    new = [e["node"] for e in data["referrals"]["edges"] if _is_new(e["node"])]
    awaiting = [
        offer
        for edge in data["referrals"]["edges"]
        for offer in edge["node"]["offers"]
        if offer["status"] == "SUBMITTED"
    ]
    return "home/provider.html", {
        "new_referrals": new,
        "awaiting": awaiting,
        "registration": data["viewer"]["organisation"]["registration"],
        "agreements": [a for a in data["ipas"] if a["status"] == "READY_FOR_SIGNING"],
    }


def _is_new(referral: dict[str, Any]) -> bool:
    delivery = referral.get("myDelivery") or {}
    return referral["status"] == "SENT" and delivery.get("status") == "NEW"

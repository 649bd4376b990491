"""The signatories' home section: agreements waiting for their side's signature."""

from __future__ import annotations

from typing import Any

from web.home import home_section
from web.operations import operations
from web.page import Header, Page

OPS = operations(__file__)

SIGNATORIES = frozenset({"LA_SIGNATORY", "PROVIDER_SIGNATORY"})


@home_section(order=15)
async def to_sign(p: Page, header: Header) -> tuple[str, dict[str, Any]] | None:
    if not header.roles & SIGNATORIES:
        return None
    data = await p.query(OPS["SignatoryHome"])
    party = data["viewer"]["organisation"]["kind"]
    waiting = [a for a in data["ipas"] if party not in {s["party"] for s in a["signatures"]}]
    return "agreements/home_section.html", {"waiting": waiting}

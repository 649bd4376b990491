"""``/referrals`` for the LA: its referrals, filtered by status and category."""

from __future__ import annotations

from starlette.responses import Response

from web.operations import operations
from web.page import Page, page
from web.pages.casework.common import LA, REFERRAL_STATUSES, children_text, require_la_staff

OPS = operations(__file__)


@page("/referrals", kinds=LA)
async def referrals(p: Page) -> Response:
    await require_la_staff(p)
    status = p.query_params.get("status") or None
    category = p.query_params.get("category") or None
    data = await p.query(OPS["CategoriesForFilter"])
    categories = data["categories"]
    if status not in {s for s, _ in REFERRAL_STATUSES}:
        status = None
    if category not in {c["category"] for c in categories}:
        category = None
    listing = await p.query(
        OPS["LaReferrals"],
        {"status": status, "category": category, "after": p.query_params.get("after") or None},
    )
    rows = [
        {
            **edge["node"],
            "children_text": children_text(edge["node"]["children"]),
            "to_decide": sum(1 for o in edge["node"]["offers"] if o["status"] == "SUBMITTED"),
        }
        for edge in listing["referrals"]["edges"]
    ]
    return p.render(
        "casework/referrals.html",
        referrals=rows,
        total=listing["referrals"]["totalCount"],
        page_info=listing["referrals"]["pageInfo"],
        statuses=REFERRAL_STATUSES,
        categories=categories,
        chosen=status or "",
        category=category or "",
        labels={c["category"]: c["label"] for c in categories},
    )

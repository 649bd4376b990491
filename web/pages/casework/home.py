"""The LA staff's home section: drafts, referrals with offers to decide, agreements in
progress (web.md section 2)."""

from __future__ import annotations

from typing import Any

from web.home import home_section
from web.operations import operations
from web.page import Header, Page
from web.pages.casework.common import LA_STAFF, children_text

OPS = operations(__file__)


@home_section(order=20)
async def la_work(p: Page, header: Header) -> tuple[str, dict[str, Any]] | None:
    if header.organisation_kind != "LOCAL_AUTHORITY" or not header.roles & LA_STAFF:
        return None
    data = await p.query(OPS["LaHome"])
    labels = {c["category"]: c["label"] for c in data["categories"]}
    to_decide = []
    for edge in data["sent"]["edges"]:
        count = sum(1 for o in edge["node"]["offers"] if o["status"] == "SUBMITTED")
        if count:
            to_decide.append({**edge["node"], "count": count})
    return "casework/home_section.html", {
        "drafts": [
            {**e["node"], "children_text": children_text(e["node"]["children"])}
            for e in data["drafts"]["edges"]
        ],
        "draft_count": data["drafts"]["totalCount"],
        "to_decide": to_decide,
        "agreements": [*data["drafting"], *data["signing"]],
        "labels": labels,
    }

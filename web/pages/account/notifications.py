"""``/notifications``: newest first, unread marked; "Mark all as read"."""

from __future__ import annotations

from starlette.responses import Response

from web.addresses import address_of
from web.operations import operations
from web.page import Page, page

OPS = operations(__file__)


@page("/notifications", methods=("GET", "POST"))
async def notifications(p: Page) -> Response:
    if p.request.method == "POST":
        outcome = await p.mutate(OPS["MarkAllRead"])
        count = outcome["updatedCount"] if outcome.ok else 0
        return p.redirect("/notifications", banner=f"{count} marked as read.")
    after = p.query_params.get("after") or None
    data = await p.query(OPS["Notifications"], {"after": after})
    kind = (await p.header()).organisation_kind
    rows = [
        {**edge["node"], "href": address_of(edge["node"]["subjectId"], organisation_kind=kind)}
        for edge in data["notifications"]["edges"]
    ]
    return p.render(
        "account/notifications.html",
        notifications=rows,
        page_info=data["notifications"]["pageInfo"],
        total=data["notifications"]["totalCount"],
    )

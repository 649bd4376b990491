"""``/referrals``: the LA's referrals, or those delivered to the provider; filters by status
and category. A provider's referral is tagged "New" until someone in the organisation opens it
(``myDelivery.openedAt``: its page, or the API's ``node``; the list itself is not opening)."""

from __future__ import annotations

from starlette.responses import Response

from web.operations import operations
from web.page import OperationFailed, Page, page

OPS = operations(__file__)

STATUSES = ("DRAFT", "SENT", "PLACED", "WITHDRAWN")
#: A provider's case staff: a signatory-only person (or anyone else) gets the 404 page.
PROVIDER_STAFF = frozenset({"PROVIDER_ADMIN", "PROVIDER_USER"})


@page("/referrals")
async def referrals(p: Page) -> Response:
    header = await p.header()
    if not header.roles & PROVIDER_STAFF:
        raise p.not_found()
    status = p.query_params.get("status") or None
    category = p.query_params.get("category") or None
    if status not in (None, *STATUSES):
        status = None
    variables = {"status": status, "category": category, "after": p.query_params.get("after")}
    try:
        data = await p.query(OPS["Referrals"], variables)
    except OperationFailed as failure:
        if failure.masked:
            raise
        # A category (or cursor) that is not one of ours, from an edited address: unfiltered.
        category = None
        data = await p.query(OPS["Referrals"], {"status": status})
    categories = {c["category"]: c["label"] for c in data["categories"]}
    rows = [edge["node"] for edge in data["referrals"]["edges"]]
    return p.render(
        "referrals/list.html",
        referrals=rows,
        total=data["referrals"]["totalCount"],
        page_info=data["referrals"]["pageInfo"],
        categories=categories,
        statuses=STATUSES,
        chosen_status=status or "",
        chosen_category=category or "",
    )

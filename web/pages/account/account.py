"""``/account``: the person's own details, roles, and who may sign on their behalf."""

from __future__ import annotations

from starlette.responses import Response

from web.operations import operations
from web.page import Page, page

OPS = operations(__file__)


@page("/account")
async def account(p: Page) -> Response:
    data = await p.query(OPS["Account"])
    return p.render("account/account.html", me=data["viewer"])

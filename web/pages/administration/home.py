"""Home sections of administrators: LA admins (registrations to decide, account requests,
people, API tokens), platform admins (registrations and local authorities), category
leads (their categories' settings)."""

from __future__ import annotations

from typing import Any

from web.home import home_section
from web.operations import operations
from web.page import Header, Page

OPS = operations(__file__)


@home_section(order=30)
async def administration(p: Page, header: Header) -> tuple[str, dict[str, Any]] | None:
    roles = header.roles
    if not roles & {"LA_ADMIN", "PLATFORM_ADMIN", "CATEGORY_LEAD"}:
        return None
    pending: list[dict[str, Any]] = []
    requests = 0
    if roles & {"LA_ADMIN", "PLATFORM_ADMIN"}:
        data = await p.query(OPS["AdminHome"])
        pending = data["pending"]
        requests = sum(1 for r in data["accountRequests"] if r["status"] == "PENDING")
    return "administration/home_section.html", {
        "pending": pending,
        "requests": requests,
        "la_admin": "LA_ADMIN" in roles,
        "platform_admin": "PLATFORM_ADMIN" in roles,
        "category_lead": bool(roles & {"CATEGORY_LEAD", "PLATFORM_ADMIN"}),
    }

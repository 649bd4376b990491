"""``/organisation``: the organisation's details, and its sections for its staff."""

from __future__ import annotations

from starlette.responses import Response

from web.operations import operations
from web.page import Page, page

OPS = operations(__file__)


@page("/organisation", kinds=("PROVIDER", "LOCAL_AUTHORITY"))
async def organisation(p: Page) -> Response:
    data = await p.query(OPS["Organisation"])
    viewer = data["viewer"]
    roles = set(viewer["roles"])
    kind = viewer["organisation"]["kind"]
    sections = []
    if kind == "PROVIDER":
        if "PROVIDER_ADMIN" in roles:
            sections.append(
                (
                    "/organisation/registration",
                    "Registration",
                    "Your homes and your registration's status",
                )
            )
        sections.append(
            (
                "/organisation/documents",
                "Documents",
                "Insurance, Ofsted certificate and other profile documents",
            )
        )
    if roles & {"PROVIDER_ADMIN", "LA_ADMIN"}:
        sections.append(("/organisation/users", "People", "Your colleagues and their roles"))
    if "LA_ADMIN" in roles:
        sections.append(
            ("/organisation/api-tokens", "API tokens", "For your case-management system")
        )
    return p.render(
        "organisation/organisation.html", organisation=viewer["organisation"], sections=sections
    )

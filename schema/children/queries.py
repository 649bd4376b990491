"""``referralAccessLog``: who read a referral's information (core/children/queries.py decides
which reads each viewer sees)."""

from __future__ import annotations

import strawberry

from core.access import may_query
from core.children import queries
from schema.children.types import (
    AccessLogConnection,
    access_log_connection,
    decode_entry_cursor,
)
from schema.context import Info
from schema.node import decode_any_id


@strawberry.type
class ChildrenDataQueries:
    @strawberry.field(
        description="LA admins of the referral's LA: every read; provider admins: their "
        "organisation's reads."
    )
    async def referral_access_log(
        self,
        info: Info,
        referral_id: strawberry.ID,
        first: int | None = 50,
        after: str | None = None,
    ) -> AccessLogConnection:
        viewer = info.context.viewer
        decoded = decode_any_id(referral_id)
        cursor = decode_entry_cursor(after) if after else None
        if (
            not may_query(viewer, "referralAccessLog")
            or decoded is None
            or (decoded[0] != "Referral")
        ):
            return access_log_connection(queries.AccessLogPage(rows=[], has_next=False), 0, after)
        async with info.context.read() as session:
            page, total = await queries.access_log_page(
                session, viewer, decoded[1], first=50 if first is None else first, after=cursor
            )
        return access_log_connection(page, total, after)

"""``referrals``: LA users see their LA's, providers the ones delivered to them."""

from __future__ import annotations

import strawberry

from core.access import may_query
from core.referrals import queries
from schema.context import Info
from schema.enums import CareCategory
from schema.pagination import PageInfo, decode_cursor
from schema.referrals.making import page_cursor, referral_edges
from schema.referrals.types import ReferralConnection, ReferralStatus


@strawberry.type
class ReferralQueries:
    @strawberry.field(
        description="LA users: their LA's referrals. Providers: referrals delivered to them."
    )
    async def referrals(
        self,
        info: Info,
        status: ReferralStatus | None = None,
        category: CareCategory | None = None,
        first: int | None = 50,
        after: str | None = None,
    ) -> ReferralConnection:
        viewer = info.context.viewer
        if viewer is None or not may_query(viewer, "referrals"):
            return ReferralConnection(
                edges=[],
                count=_no_referrals,
                page_info=PageInfo(
                    has_next_page=False, has_previous_page=False, start_cursor=None, end_cursor=None
                ),
            )
        filters = {
            "status": status.value if status else None,
            "category": str(category) if category else None,
        }
        async with info.context.read_plain() as session:
            page = await queries.referral_page(
                session,
                viewer,
                first=50 if first is None else first,
                after=decode_cursor(after) if after else None,
                **filters,
            )

        async def count() -> int:
            async with info.context.read_plain() as session:
                return await queries.referral_count(session, viewer, **filters)

        records = page.records
        return ReferralConnection(
            edges=referral_edges(page, viewer),
            count=count,
            page_info=PageInfo(
                has_next_page=page.has_next,
                has_previous_page=after is not None,
                start_cursor=page_cursor(records[0]) if records else None,
                end_cursor=page_cursor(records[-1]) if records else None,
            ),
        )


async def _no_referrals() -> int:
    return 0

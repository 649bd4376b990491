"""The ``notifications`` connection: the viewer's own, newest first, paged by keyset."""

from __future__ import annotations

import strawberry

from core.access import may_query
from core.notifications import queries
from schema.context import Info
from schema.notifications.types import Notification, NotificationConnection, NotificationEdge
from schema.pagination import PageInfo, decode_cursor, encode_cursor


def _empty() -> NotificationConnection:
    return NotificationConnection(
        user_key=None,
        unread_only=False,
        edges=[],
        page_info=PageInfo(has_next_page=False, has_previous_page=False),
    )


@strawberry.type
class NotificationQueries:
    @strawberry.field(
        description="The viewer's notifications, newest first (at most 100 per page)."
    )
    async def notifications(
        self,
        info: Info,
        unread_only: bool | None = False,
        first: int | None = 50,
        after: str | None = None,
    ) -> NotificationConnection:
        viewer = info.context.viewer
        if viewer is None or viewer.user_id is None or not may_query(viewer, "notifications"):
            return _empty()
        keyset = decode_cursor(after) if after else None
        async with info.context.read() as session:
            rows, more = await queries.notifications_page(
                session,
                viewer.user_id,
                unread_only=bool(unread_only),
                first=50 if first is None else first,
                after=keyset,
            )
        edges = [
            NotificationEdge(cursor=encode_cursor(r.created_at, r.id), node=Notification.of(r))
            for r in rows
        ]
        return NotificationConnection(
            user_key=viewer.user_id,
            unread_only=bool(unread_only),
            edges=edges,
            page_info=PageInfo(
                has_next_page=more,
                has_previous_page=keyset is not None,
                start_cursor=edges[0].cursor if edges else None,
                end_cursor=edges[-1].cursor if edges else None,
            ),
        )

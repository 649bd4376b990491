"""Notifications as the API shows them."""

from __future__ import annotations

import uuid
from datetime import datetime

import strawberry

from core.models import Notification as NotificationRow
from core.notifications import queries
from core.notifications.kinds import NotificationKind as _NotificationKind
from core.notifications.realtime import Event
from schema.context import Info
from schema.node import Node, encode_id
from schema.pagination import PageInfo

NotificationKind = _NotificationKind


def _subject_id(type_name: str | None, key: uuid.UUID | None) -> strawberry.ID | None:
    return encode_id(type_name, key) if type_name and key else None


@strawberry.type
class Notification(Node):
    key: strawberry.Private[uuid.UUID]
    kind: NotificationKind
    message: str
    subject_id: strawberry.ID | None = strawberry.field(
        description="The referral, offer, IPA, thread or document this is about."
    )
    created_at: datetime
    read_at: datetime | None

    @classmethod
    def of(cls, row: NotificationRow) -> Notification:
        return cls(
            id=encode_id("Notification", row.id),
            key=row.id,
            kind=NotificationKind(row.kind),
            message=row.message,
            subject_id=_subject_id(row.subject_type, row.subject_key),
            created_at=row.created_at,
            read_at=row.read_at,
        )

    @classmethod
    def of_event(cls, event: Event) -> Notification:
        """From a published event (a new notification: not read yet)."""
        key = uuid.UUID(hex=event["id"])
        subject_key = event.get("subject_key")
        return cls(
            id=encode_id("Notification", key),
            key=key,
            kind=NotificationKind(event["kind"]),
            message=event["message"],
            subject_id=_subject_id(
                event.get("subject_type"), uuid.UUID(hex=subject_key) if subject_key else None
            ),
            created_at=datetime.fromisoformat(event["created_at"]),
            read_at=None,
        )


@strawberry.type
class NotificationEdge:
    cursor: str
    node: Notification


@strawberry.type
class NotificationConnection:
    user_key: strawberry.Private[uuid.UUID | None]
    unread_only: strawberry.Private[bool]
    edges: list[NotificationEdge]
    page_info: PageInfo

    @strawberry.field(description="How many notifications the list has in all (every page).")
    async def total_count(self, info: Info) -> int:
        if self.user_key is None:
            return 0
        async with info.context.read() as session:
            return await queries.count_notifications(
                session, self.user_key, unread_only=self.unread_only
            )


async def notification_node(info: Info, key: uuid.UUID) -> Notification | None:
    viewer = info.context.viewer
    if viewer is None or viewer.user_id is None:
        return None
    row = await info.context.loaders.get(queries.notifications_by_ids).load(key)
    if row is None or row.user_id != viewer.user_id:
        return None
    return Notification.of(row)

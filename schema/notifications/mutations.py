"""The notification mutations: each calls one service (``@mutation`` checks the caller)."""

from __future__ import annotations

import strawberry

from core.notifications import service
from core.notifications.kinds import NotificationKind as _NotificationKind
from schema.context import Info
from schema.identity.inputs import UserPayload
from schema.identity.types import User
from schema.mutation import mutation, signed_in
from schema.node import decode_any_id
from schema.notifications.inputs import (
    MarkNotificationsReadInput,
    MarkNotificationsReadPayload,
    SetEmailPreferencesInput,
)


@strawberry.type
class NotificationMutations:
    @mutation
    async def mark_notifications_read(
        self, info: Info, input: MarkNotificationsReadInput
    ) -> MarkNotificationsReadPayload:
        keys = None
        if input.ids is not None:
            # Ids that are not notifications are not the viewer's: silently not counted.
            decoded = (decode_any_id(i) for i in input.ids)
            keys = [d[1] for d in decoded if d is not None and d[0] == "Notification"]
        count = await service.mark_read(info.context.db, signed_in(info), ids=keys, all=input.all)
        return MarkNotificationsReadPayload(updated_count=count)

    @mutation(
        description="Choose the kinds of notification the viewer is not emailed about; "
        "notifications in the portal always stay."
    )
    async def set_email_preferences(
        self, info: Info, input: SetEmailPreferencesInput
    ) -> UserPayload:
        kinds = [_NotificationKind(k.value) for k in input.disabled_kinds]
        user = await service.set_email_preferences(
            info.context.db, signed_in(info), disabled_kinds=kinds
        )
        return UserPayload(user=User.of(user))

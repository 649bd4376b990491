"""The notification mutations: each checks its caller in ``mutate`` and calls one service."""

from __future__ import annotations

from typing import Any

import strawberry

from core.identity.viewer import Viewer
from core.notifications import service
from core.notifications.kinds import NotificationKind as _NotificationKind
from schema.context import Info
from schema.errors import mutate
from schema.identity.inputs import UserPayload
from schema.identity.types import User
from schema.node import decode_any_id
from schema.notifications.inputs import (
    MarkNotificationsReadInput,
    MarkNotificationsReadPayload,
    SetEmailPreferencesInput,
)


@strawberry.type
class NotificationMutations:
    @strawberry.mutation
    async def mark_notifications_read(
        self, info: Info, input: MarkNotificationsReadInput
    ) -> MarkNotificationsReadPayload:
        ctx = info.context

        async def act(viewer: Viewer) -> dict[str, Any]:
            keys = None
            if input.ids is not None:
                # Ids that are not notifications are not the viewer's: silently not counted.
                decoded = (decode_any_id(i) for i in input.ids)
                keys = [d[1] for d in decoded if d is not None and d[0] == "Notification"]
            count = await service.mark_read(ctx.db, viewer, ids=keys, all=input.all)
            return {"updated_count": count}

        return await mutate(info, "markNotificationsRead", MarkNotificationsReadPayload, act)

    @strawberry.mutation(
        description="Choose the kinds of notification the viewer is not emailed about; "
        "notifications in the portal always stay."
    )
    async def set_email_preferences(
        self, info: Info, input: SetEmailPreferencesInput
    ) -> UserPayload:
        ctx = info.context

        async def act(viewer: Viewer) -> dict[str, Any]:
            user = await service.set_email_preferences(
                ctx.db,
                viewer,
                disabled_kinds=[_NotificationKind(k.value) for k in input.disabled_kinds],
            )
            return {"user": User.of(user)}

        return await mutate(info, "setEmailPreferences", UserPayload, act)

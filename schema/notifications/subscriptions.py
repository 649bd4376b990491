"""``subscription { notifications }``: each notification for the viewer, as it is created.

Authenticated when the websocket connection is initialised (``schema/view.py``); the events
come from this process's hub (one Redis pub/sub connection, or the in-process bus) and carry
the notification, so nothing is read from the database per event.
"""

from __future__ import annotations

from collections.abc import AsyncGenerator

import strawberry
from graphql import GraphQLError

from core.identity.authenticate import authenticate
from core.notifications.realtime import SESSIONS_ENDED, Hub, SlowSubscriber
from schema.context import Info
from schema.notifications.types import Notification

#: How often a quiet subscription checks that its session is still valid (expired or idle: the
#: subscription ends). Logout and deactivation publish SESSIONS_ENDED: it checks at once.
RECHECK_SECONDS = 60.0


@strawberry.type
class NotificationSubscriptions:
    @strawberry.subscription(description="Each notification for the viewer, as it is created.")
    async def notifications(self, info: Info) -> AsyncGenerator[Notification, None]:
        ctx = info.context
        viewer = ctx.viewer
        if viewer is None or viewer.user_id is None:
            raise GraphQLError(
                "Sign in to receive notifications.", extensions={"code": "UNAUTHENTICATED"}
            )
        hub: Hub = ctx.request.app.state.realtime
        token = getattr(ctx, "credentials", None)
        async with hub.subscribe(viewer.user_id) as events:
            while True:
                try:
                    event = await events.next(RECHECK_SECONDS)
                except SlowSubscriber as error:
                    raise GraphQLError(str(error), extensions={"code": "SLOW_CONSUMER"}) from None
                if event is not None and event.get("control") != SESSIONS_ENDED:
                    yield Notification.of_event(event)
                    continue
                current = await authenticate(
                    ctx.db, token, ctx.client_address, idle=ctx.settings.session_idle
                )
                if current is None or current.user_id != viewer.user_id:
                    return

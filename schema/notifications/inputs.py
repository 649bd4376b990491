"""Inputs and payloads of the notification mutations."""

from __future__ import annotations

import strawberry

from schema.errors import USER_ERRORS, UserError
from schema.notifications.types import NotificationKind


@strawberry.input
class MarkNotificationsReadInput:
    ids: list[strawberry.ID] | None = None
    all: bool | None = strawberry.field(
        default=None, description="Mark every notification of the viewer as read."
    )


@strawberry.type
class MarkNotificationsReadPayload:
    user_errors: list[UserError] = USER_ERRORS
    updated_count: int = 0


@strawberry.input
class SetEmailPreferencesInput:
    disabled_kinds: list[NotificationKind] = strawberry.field(
        description="The kinds of notification not to email (every other kind is emailed). "
        "Notifications stay in the portal whatever this says."
    )

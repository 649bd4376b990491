"""Inputs and payloads of the message mutations (shapes from the contract)."""

from __future__ import annotations

import strawberry

from schema.errors import USER_ERRORS, UserError
from schema.messages.types import Message, MessageThread


@strawberry.input
class SendMessageInput:
    referral_id: strawberry.ID
    body: str
    provider_id: strawberry.ID | None = strawberry.field(
        default=None,
        description="Required when a local authority user writes: which provider's thread.",
    )
    document_ids: list[strawberry.ID] | None = None


@strawberry.type
class MessagePayload:
    user_errors: list[UserError] = USER_ERRORS
    message: Message | None = None


@strawberry.input
class MarkThreadReadInput:
    thread_id: strawberry.ID


@strawberry.type
class MessageThreadPayload:
    user_errors: list[UserError] = USER_ERRORS
    thread: MessageThread | None = None

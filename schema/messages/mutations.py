"""The message mutations: each calls one service (``@mutation`` checks the caller)."""

from __future__ import annotations

import strawberry

from core.messages import service
from schema.context import Info
from schema.messages.inputs import (
    MarkThreadReadInput,
    MessagePayload,
    MessageThreadPayload,
    SendMessageInput,
)
from schema.messages.types import Message, MessageThread
from schema.mutation import arguments, mutation, signed_in


@strawberry.type
class MessageMutations:
    @mutation(description="Write in the thread of a referral and a provider that received it.")
    async def send_message(self, info: Info, input: SendMessageInput) -> MessagePayload:
        ctx = info.context
        values = arguments(
            input, referral_id="Referral", provider_id="Organisation", document_ids="Document"
        )
        values["document_ids"] = values.get("document_ids") or []
        message = await service.send_message(ctx.db, ctx.settings, signed_in(info), **values)
        return MessagePayload(message=Message.of(message))

    @mutation(description="The viewer has read the thread: its messages are no longer new to them.")
    async def mark_thread_read(
        self, info: Info, input: MarkThreadReadInput
    ) -> MessageThreadPayload:
        values = arguments(input, thread_id="MessageThread")
        row = await service.mark_thread_read(info.context.db, signed_in(info), **values)
        return MessageThreadPayload(thread=MessageThread.of(row))

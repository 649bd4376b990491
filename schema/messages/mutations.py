"""The message mutations: each checks its caller in ``mutate`` and calls one service."""

from __future__ import annotations

from typing import Any

import strawberry

from core.identity.viewer import Viewer
from core.messages import service
from schema.context import Info
from schema.errors import mutate
from schema.messages.inputs import (
    MarkThreadReadInput,
    MessagePayload,
    MessageThreadPayload,
    SendMessageInput,
)
from schema.messages.types import Message, MessageThread
from schema.node import decode_id


@strawberry.type
class MessageMutations:
    @strawberry.mutation(
        description="Write in the thread of a referral and a provider that received it."
    )
    async def send_message(self, info: Info, input: SendMessageInput) -> MessagePayload:
        ctx = info.context

        async def act(viewer: Viewer) -> dict[str, Any]:
            message = await service.send_message(
                ctx.db,
                ctx.settings,
                viewer,
                referral_id=decode_id(input.referral_id, "Referral", field=("input", "referralId")),
                provider_id=(
                    decode_id(input.provider_id, "Organisation", field=("input", "providerId"))
                    if input.provider_id is not None
                    else None
                ),
                body=input.body,
                document_ids=[
                    decode_id(d, "Document", field=("input", "documentIds", str(i)))
                    for i, d in enumerate(input.document_ids or [])
                ],
            )
            return {"message": Message.of(message)}

        return await mutate(info, "sendMessage", MessagePayload, act)

    @strawberry.mutation(
        description="The viewer has read the thread: its messages are no longer new to them."
    )
    async def mark_thread_read(
        self, info: Info, input: MarkThreadReadInput
    ) -> MessageThreadPayload:
        ctx = info.context

        async def act(viewer: Viewer) -> dict[str, Any]:
            row = await service.mark_thread_read(
                ctx.db,
                viewer,
                thread_id=decode_id(input.thread_id, "MessageThread", field=("input", "threadId")),
            )
            return {"thread": MessageThread.of(row)}

        return await mutate(info, "markThreadRead", MessageThreadPayload, act)

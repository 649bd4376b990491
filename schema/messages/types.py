"""``MessageThread`` and ``Message`` as the API shows them, to the two parties only.

``Message.isNew`` is per person: true for each person on the receiving side until that
person marks the thread read; always false on the sender's side (a sender never learns
whether it was read) and for an API token (it has no read marks).
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import TYPE_CHECKING, Annotated

import strawberry

from core.children.access_log import Subject, note_read
from core.messages import queries
from core.messages.parties import is_party
from core.messages.service import ThreadRow
from core.models import Message as MessageRow
from schema.context import Info
from schema.documents.types import Document
from schema.identity.types import Organisation, User
from schema.node import Node, decode_any_id, encode_id

if TYPE_CHECKING:
    from schema.referrals.types import Referral


async def _read_mark(info: Info, thread_key: uuid.UUID) -> int | None:
    """How far the viewer has read the thread; None for a viewer without read marks."""
    viewer = info.context.viewer
    if viewer is None or viewer.user_id is None:
        return None
    return await info.context.loaders.get(queries.read_marks_by_thread_and_user).load(
        (thread_key, viewer.user_id)
    )


def _is_new(info: Info, author_organisation: uuid.UUID, seq: int, read: int | None) -> bool:
    viewer = info.context.viewer
    if viewer is None or read is None or viewer.organisation_id == author_organisation:
        return False
    return seq > read


@strawberry.type
class Message(Node):
    key: strawberry.Private[uuid.UUID]
    thread_key: strawberry.Private[uuid.UUID]
    seq: strawberry.Private[int]
    author_key: strawberry.Private[uuid.UUID]
    author_organisation_key: strawberry.Private[uuid.UUID]
    body: str
    sent_at: datetime

    @classmethod
    def of(cls, row: MessageRow) -> Message:
        return cls(
            id=encode_id("Message", row.id),
            key=row.id,
            thread_key=row.thread_id,
            seq=row.seq,
            author_key=row.author_id,
            author_organisation_key=row.author_organisation_id,
            body=row.body,
            sent_at=row.sent_at,
        )

    @strawberry.field
    async def author(self, info: Info) -> User:
        return User.of(await info.context.loaders.user_by_id.load(self.author_key))

    @strawberry.field
    async def documents(self, info: Info) -> list[Document]:
        rows = await info.context.loaders.get(queries.documents_by_message_ids).load(self.key)
        return [Document.of(r) for r in rows]

    @strawberry.field(
        description="True only for a recipient who has not read it yet; never shown to its sender."
    )
    async def is_new(self, info: Info) -> bool:
        viewer = info.context.viewer
        if viewer is None or viewer.organisation_id == self.author_organisation_key:
            return False  # the sender's side: no read mark needed (nor ever revealed)
        return _is_new(
            info, self.author_organisation_key, self.seq, await _read_mark(info, self.thread_key)
        )


@strawberry.type
class MessageThread(Node):
    key: strawberry.Private[uuid.UUID]
    referral_key: strawberry.Private[uuid.UUID]
    provider_key: strawberry.Private[uuid.UUID]

    @classmethod
    def of(cls, row: ThreadRow) -> MessageThread:
        return cls(
            id=encode_id("MessageThread", row.thread.id),
            key=row.thread.id,
            referral_key=row.thread.referral_id,
            provider_key=row.thread.provider_id,
        )

    @strawberry.field
    async def referral(
        self, info: Info
    ) -> Annotated[Referral, strawberry.lazy("schema.referrals.types")]:
        from schema.referrals.types import referral_for_viewer

        viewer = info.context.viewer
        as_provider = viewer is not None and viewer.organisation_id == self.provider_key
        row = await info.context.loaders.get(queries.referrals_for_parties).load(
            (self.referral_key, self.provider_key if as_provider else None)
        )
        assert row is not None  # a thread is shown only to its parties
        return referral_for_viewer(row, info.context.viewer)

    @strawberry.field
    async def provider(self, info: Info) -> Organisation:
        return Organisation.of(
            await info.context.loaders.organisation_by_id.load(self.provider_key)
        )

    @strawberry.field(description="Oldest first.")
    async def messages(self, info: Info) -> list[Message]:
        rows = await info.context.loaders.get(queries.messages_by_thread_ids).load(self.key)
        note_read(Subject.MESSAGE_THREAD, self.key, self.referral_key)
        return [Message.of(r) for r in rows]

    @strawberry.field(description="Messages in this thread that are new for the viewer.")
    async def new_count(self, info: Info) -> int:
        read = await _read_mark(info, self.key)
        if read is None:
            return 0
        rows = await info.context.loaders.get(queries.messages_by_thread_ids).load(self.key)
        return sum(1 for r in rows if _is_new(info, r.author_organisation_id, r.seq, read))


async def thread_of_referral(
    info: Info,
    referral_key: uuid.UUID,
    local_authority_key: uuid.UUID,
    provider_id: str | None,
) -> MessageThread | None:
    """``Referral.thread(providerId)``: LA users name the provider; a provider gets its own
    (naming another provider gives null). Null when there is no thread yet, or the viewer is
    not a party to it."""
    viewer = info.context.viewer
    if viewer is None:
        return None
    if viewer.is_provider:
        provider_key = viewer.organisation_id
        if provider_id is not None and _organisation_key(provider_id) != provider_key:
            return None
    else:
        if provider_id is None:
            return None
        named = _organisation_key(provider_id)
        if named is None:
            return None
        provider_key = named
    if not is_party(viewer, local_authority_key, provider_key):
        return None
    row = await info.context.loaders.get(queries.threads_by_referral_and_provider).load(
        (referral_key, provider_key)
    )
    if row is None or row.local_authority_id != local_authority_key:
        return None
    return MessageThread.of(row)


def _organisation_key(global_id: str) -> uuid.UUID | None:
    decoded = decode_any_id(global_id)
    return decoded[1] if decoded is not None and decoded[0] == "Organisation" else None


async def thread_node(info: Info, key: uuid.UUID) -> MessageThread | None:
    row = await info.context.loaders.get(queries.threads_by_ids).load(key)
    if row is None or not is_party(
        info.context.viewer, row.local_authority_id, row.thread.provider_id
    ):
        return None
    return MessageThread.of(row)


async def message_node(info: Info, key: uuid.UUID) -> Message | None:
    found = await info.context.loaders.get(queries.messages_by_ids).load(key)
    if found is None:
        return None
    message, thread = found
    if not is_party(info.context.viewer, thread.local_authority_id, thread.thread.provider_id):
        return None
    note_read(Subject.MESSAGE_THREAD, thread.thread.id, thread.thread.referral_id)
    return Message.of(message)

"""Bulk reads for threads and messages: one statement per batch, results in key order."""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Sequence
from operator import attrgetter

from sqlalchemy import and_, select
from sqlalchemy.ext.asyncio import AsyncSession

from core.documents.queries import linked_documents
from core.keyed import groups, in_key_order
from core.messages.service import ThreadRow
from core.models import (
    Document,
    Message,
    MessageDocument,
    MessageThread,
    MessageThreadRead,
    Referral,
    ReferralDelivery,
    ReferralVersion,
)
from core.referrals.queries import ReferralRow


def _threads():
    return select(MessageThread, Referral.local_authority_id).join(
        Referral, Referral.id == MessageThread.referral_id
    )


async def threads_by_ids(session: AsyncSession, ids: Sequence[uuid.UUID]) -> list[ThreadRow | None]:
    found = {
        thread.id: ThreadRow(thread, la)
        for thread, la in (await session.execute(_threads().where(MessageThread.id.in_(ids)))).all()
    }
    return in_key_order(ids, found)


async def threads_by_referral_and_provider(
    session: AsyncSession, keys: Sequence[tuple[uuid.UUID, uuid.UUID]]
) -> list[ThreadRow | None]:
    """Threads by (referral id, provider id): one statement per provider (a page of
    referrals asks for one provider's threads)."""
    by_provider: dict[uuid.UUID, set[uuid.UUID]] = defaultdict(set)
    for referral_id, provider_id in keys:
        by_provider[provider_id].add(referral_id)
    found: dict[tuple[uuid.UUID, uuid.UUID], ThreadRow] = {}
    for provider_id, referral_ids in by_provider.items():
        for thread, la in (
            await session.execute(
                _threads().where(
                    MessageThread.provider_id == provider_id,
                    MessageThread.referral_id.in_(referral_ids),
                )
            )
        ).all():
            found[(thread.referral_id, thread.provider_id)] = ThreadRow(thread, la)
    return in_key_order(keys, found)


async def messages_by_thread_ids(
    session: AsyncSession, ids: Sequence[uuid.UUID]
) -> list[list[Message]]:
    """Each thread's messages, oldest first."""
    return groups(
        ids,
        await session.scalars(
            select(Message)
            .where(Message.thread_id.in_(ids))
            .order_by(Message.thread_id, Message.seq)
        ),
        key=attrgetter("thread_id"),
    )


async def messages_by_ids(
    session: AsyncSession, ids: Sequence[uuid.UUID]
) -> list[tuple[Message, ThreadRow] | None]:
    found = {
        message.id: (message, ThreadRow(thread, la))
        for message, thread, la in (
            await session.execute(
                select(Message, MessageThread, Referral.local_authority_id)
                .join(MessageThread, MessageThread.id == Message.thread_id)
                .join(Referral, Referral.id == MessageThread.referral_id)
                .where(Message.id.in_(ids))
            )
        ).all()
    }
    return in_key_order(ids, found)


async def read_marks_by_thread_and_user(
    session: AsyncSession, keys: Sequence[tuple[uuid.UUID, uuid.UUID]]
) -> list[int]:
    """How far each (thread, person) has read: the last message number read, 0 if none.
    One statement per person (a request has one viewer)."""
    by_user: dict[uuid.UUID, set[uuid.UUID]] = defaultdict(set)
    for thread_id, user_id in keys:
        by_user[user_id].add(thread_id)
    found: dict[tuple[uuid.UUID, uuid.UUID], int] = {}
    for user_id, thread_ids in by_user.items():
        for thread_id, read_seq in await session.execute(
            select(MessageThreadRead.thread_id, MessageThreadRead.read_seq).where(
                MessageThreadRead.user_id == user_id, MessageThreadRead.thread_id.in_(thread_ids)
            )
        ):
            found[(thread_id, user_id)] = read_seq
    return in_key_order(keys, found, 0)


async def documents_by_message_ids(
    session: AsyncSession, ids: Sequence[uuid.UUID]
) -> list[list[Document]]:
    return await linked_documents(
        session,
        MessageDocument.message_id,
        MessageDocument.document_id,
        ids,
        MessageDocument.position,
    )


async def referrals_for_parties(
    session: AsyncSession, keys: Sequence[tuple[uuid.UUID, uuid.UUID | None]]
) -> list[ReferralRow | None]:
    """``MessageThread.referral`` as the party sees it: by (referral id, provider id) the
    version delivered to that provider, by (referral id, None) the LA's live referral."""
    la_ids = {r for r, p in keys if p is None}
    by_provider: dict[uuid.UUID, set[uuid.UUID]] = defaultdict(set)
    for referral_id, provider_id in keys:
        if provider_id is not None:
            by_provider[provider_id].add(referral_id)
    found: dict[tuple[uuid.UUID, uuid.UUID | None], ReferralRow] = {}
    if la_ids:
        for referral in await session.scalars(select(Referral).where(Referral.id.in_(la_ids))):
            found[(referral.id, None)] = ReferralRow(referral)
    for provider_id, referral_ids in by_provider.items():
        for referral, delivery, content in (
            await session.execute(
                select(Referral, ReferralDelivery, ReferralVersion.content)
                .join(
                    ReferralDelivery,
                    and_(
                        ReferralDelivery.referral_id == Referral.id,
                        ReferralDelivery.provider_id == provider_id,
                    ),
                )
                .join(
                    ReferralVersion,
                    and_(
                        ReferralVersion.referral_id == Referral.id,
                        ReferralVersion.version == ReferralDelivery.version,
                    ),
                )
                .where(Referral.id.in_(referral_ids))
            )
        ).all():
            found[(referral.id, provider_id)] = ReferralRow(referral, delivery, content)
    return in_key_order(keys, found)

"""Messages between a local authority and a provider about a referral (contract section 8).

One thread per referral and provider, created by its first message. Either side may write
at any time after the provider received the referral: before or after an offer, and on a
withdrawn or placed referral too (conditions are noted before or after the offer). The
other side's people are notified (MESSAGE_RECEIVED) in the same unit of work.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import case, insert, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from core.access import LA_STAFF_VALUES, PROVIDER_STAFF_VALUES
from core.db import Database, upsert_insert
from core.documents.kinds import DocumentKind
from core.errors import Forbidden, InvalidInput, NotFound
from core.identity.viewer import Viewer
from core.messages.parties import is_party
from core.models import (
    ApiToken,
    Document,
    Message,
    MessageDocument,
    MessageThread,
    MessageThreadRead,
    Organisation,
    Referral,
    ReferralDelivery,
    User,
    UserRole,
)
from core.models.base import utcnow
from core.notifications.kinds import NotificationKind
from core.notifications.service import Subject, notify
from core.settings import Settings

MAX_BODY = 10_000
MAX_ATTACHMENTS = 20


@dataclass(frozen=True)
class ThreadRow:
    """A thread and the LA of its referral (the other party)."""

    thread: MessageThread
    local_authority_id: uuid.UUID


def check_body(body: str) -> str:
    cleaned = body.strip()
    if not cleaned:
        raise InvalidInput("Write a message: the body is empty.", field=("input", "body"))
    if len(cleaned) > MAX_BODY:
        raise InvalidInput(
            f"A message can be at most {MAX_BODY:,} characters long (this one has "
            f"{len(cleaned):,}); shorten it or attach a document.",
            field=("input", "body"),
        )
    return cleaned


def _provider_of(viewer: Viewer, provider_id: uuid.UUID | None) -> uuid.UUID:
    """Whose thread the viewer writes in: an LA names the provider, a provider its own."""
    if viewer.is_local_authority:
        if provider_id is None:
            raise InvalidInput(
                "Name the provider you are writing to (providerId): each provider that "
                "received the referral has its own thread.",
                field=("input", "providerId"),
            )
        return provider_id
    if viewer.is_provider and provider_id in (None, viewer.organisation_id):
        return viewer.organisation_id
    raise NotFound("No provider with this id was found.", field=("input", "providerId"))


async def _check_documents(
    session: AsyncSession, viewer: Viewer, document_ids: Sequence[uuid.UUID]
) -> list[uuid.UUID]:
    ids = list(dict.fromkeys(document_ids))
    if len(ids) > MAX_ATTACHMENTS:
        raise InvalidInput(
            f"Attach at most {MAX_ATTACHMENTS} documents to one message.",
            field=("input", "documentIds"),
        )
    if not ids:
        return []
    found = {
        row.id: row.kind
        for row in (
            await session.execute(
                select(Document.id, Document.kind).where(
                    Document.id.in_(ids), Document.organisation_id == viewer.organisation_id
                )
            )
        ).all()
    }
    for index, document_id in enumerate(ids):
        kind = found.get(document_id)
        if kind is None:
            raise NotFound(
                "No document with this id was found among your organisation's.",
                field=("input", "documentIds", str(index)),
            )
        if kind == DocumentKind.REGISTRATION_SPREADSHEET.value:
            raise InvalidInput(
                "A registration spreadsheet cannot be attached to a message.",
                field=("input", "documentIds", str(index)),
            )
    return ids


async def _author_id(session: AsyncSession, viewer: Viewer) -> uuid.UUID:
    """The person a message is from: the viewer, or the person who created the LA's API
    token (the message also records the token)."""
    if viewer.user_id is not None:
        return viewer.user_id
    creator = await session.scalar(
        select(ApiToken.created_by_id).where(ApiToken.id == viewer.api_token_id)
    )
    if creator is None:
        raise Forbidden(
            "This API token has no person behind it to write messages as; create a new token."
        )
    return creator


async def _claim_seq(
    session: AsyncSession, referral_id: uuid.UUID, provider_id: uuid.UUID
) -> tuple[uuid.UUID, int]:
    """The thread (created if this is its first message) and the next message number.

    Creating is race-safe (the unique key decides; the loser finds the winner's thread) and
    the increment takes the thread's row lock, so concurrent messages are numbered in the
    order they commit.
    """
    await session.execute(
        upsert_insert(session)(MessageThread)
        .values(
            id=uuid.uuid4(),
            referral_id=referral_id,
            provider_id=provider_id,
            last_seq=0,
            created_at=utcnow(),
        )
        .on_conflict_do_nothing(index_elements=["referral_id", "provider_id"])
    )
    row = (
        await session.execute(
            update(MessageThread)
            .where(
                MessageThread.referral_id == referral_id, MessageThread.provider_id == provider_id
            )
            .values(last_seq=MessageThread.last_seq + 1)
            .returning(MessageThread.id, MessageThread.last_seq)
        )
    ).one()
    return row.id, row.last_seq


def _people_of(organisation_id: uuid.UUID, roles: Sequence[str]):
    return (
        select(User.id)
        .join(UserRole, UserRole.user_id == User.id)
        .where(User.organisation_id == organisation_id, UserRole.role.in_(roles))
    )


async def send_message(
    db: Database,
    settings: Settings,
    viewer: Viewer,
    *,
    referral_id: uuid.UUID,
    provider_id: uuid.UUID | None,
    body: str,
    document_ids: Sequence[uuid.UUID] = (),
) -> Message:
    """Write in the thread of a referral and a provider that received it; the other side's
    people (LA_ADMIN/LA_CASEWORKER of the LA, or PROVIDER_ADMIN/PROVIDER_USER of the
    provider) are notified."""
    text = check_body(body)
    provider = _provider_of(viewer, provider_id)
    async with db.transaction() as session:
        referral = (
            await session.execute(
                select(Referral.id, Referral.reference, Referral.local_authority_id).where(
                    Referral.id == referral_id
                )
            )
        ).first()
        delivered = await session.scalar(
            select(ReferralDelivery.id).where(
                ReferralDelivery.referral_id == referral_id,
                ReferralDelivery.provider_id == provider,
            )
        )
        if referral is None or not is_party(viewer, referral.local_authority_id, provider):
            raise NotFound("No referral with this id was found.", field=("input", "referralId"))
        if delivered is None:
            if viewer.is_provider:
                raise NotFound("No referral with this id was found.", field=("input", "referralId"))
            raise NotFound(
                "This provider did not receive this referral: write to one that did.",
                field=("input", "providerId"),
            )
        ids = await _check_documents(session, viewer, document_ids)
        author_id = await _author_id(session, viewer)
        thread_id, seq = await _claim_seq(session, referral_id, provider)
        message = Message(
            id=uuid.uuid4(),
            thread_id=thread_id,
            seq=seq,
            author_id=author_id,
            author_organisation_id=viewer.organisation_id,
            api_token_id=viewer.api_token_id if viewer.user_id is None else None,
            body=text,
            sent_at=utcnow(),
        )
        session.add(message)
        await session.flush()
        if ids:
            await session.execute(
                insert(MessageDocument),
                [
                    {"message_id": message.id, "document_id": d, "position": i}
                    for i, d in enumerate(ids)
                ],
            )
        sender = await session.scalar(
            select(Organisation.name).where(Organisation.id == viewer.organisation_id)
        )
        if viewer.is_local_authority:
            recipients = _people_of(provider, PROVIDER_STAFF_VALUES)
        else:
            recipients = _people_of(referral.local_authority_id, LA_STAFF_VALUES)
        await notify(
            session,
            settings,
            recipients=recipients,
            kind=NotificationKind.MESSAGE_RECEIVED,
            message=f"New message from {sender} about referral {referral.reference}.",
            subject=Subject("MessageThread", thread_id),
            email_subject=f"New message about referral {referral.reference}",
        )
    return message


async def mark_thread_read(db: Database, viewer: Viewer, *, thread_id: uuid.UUID) -> ThreadRow:
    """The viewer has read every message of the thread sent so far (for the viewer only)."""
    if viewer.user_id is None:
        raise Forbidden("An API token has nothing to mark read; a person must sign in.")
    async with db.transaction() as session:
        row = (
            await session.execute(
                select(MessageThread, Referral.local_authority_id)
                .join(Referral, Referral.id == MessageThread.referral_id)
                .where(MessageThread.id == thread_id)
            )
        ).first()
        if row is None or not is_party(viewer, row[1], row[0].provider_id):
            raise NotFound("No thread with this id was found.", field=("input", "threadId"))
        thread, local_authority_id = row
        table = MessageThreadRead.__table__
        statement = upsert_insert(session)(MessageThreadRead).values(
            thread_id=thread.id, user_id=viewer.user_id, read_seq=thread.last_seq, read_at=utcnow()
        )
        # Only ever forward: a mark made with an older view of the thread does not undo a newer.
        await session.execute(
            statement.on_conflict_do_update(
                index_elements=["thread_id", "user_id"],
                set_={
                    "read_seq": case(
                        (
                            statement.excluded.read_seq > table.c.read_seq,
                            statement.excluded.read_seq,
                        ),
                        else_=table.c.read_seq,
                    ),
                    "read_at": statement.excluded.read_at,
                },
            )
        )
    return ThreadRow(thread, local_authority_id)

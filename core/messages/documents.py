"""Documents attached to a message are visible to both parties of its thread."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from core.access import LA_STAFF, PROVIDER_STAFF
from core.identity.viewer import Viewer
from core.models import Document, Message, MessageDocument, MessageThread, Referral


async def parties_of_the_thread(session: AsyncSession, viewer: Viewer, document: Document) -> bool:
    statement = (
        select(MessageDocument.message_id)
        .join(Message, Message.id == MessageDocument.message_id)
        .join(MessageThread, MessageThread.id == Message.thread_id)
        .where(MessageDocument.document_id == document.id)
        .limit(1)
    )
    if viewer.is_local_authority and viewer.has(*LA_STAFF):
        statement = statement.join(Referral, Referral.id == MessageThread.referral_id).where(
            Referral.local_authority_id == viewer.organisation_id
        )
    elif viewer.is_provider and viewer.has(*PROVIDER_STAFF):
        statement = statement.where(MessageThread.provider_id == viewer.organisation_id)
    else:
        return False
    return await session.scalar(statement) is not None

"""Bulk reads for documents: one statement per batch, results in key order."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from operator import attrgetter

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from core.documents.kinds import PROFILE_KINDS
from core.keyed import groups, one_each
from core.models import Document


async def documents_by_ids(
    session: AsyncSession, ids: Sequence[uuid.UUID]
) -> list[Document | None]:
    return one_each(ids, await session.scalars(select(Document).where(Document.id.in_(ids))))


async def profile_documents_by_organisation_ids(
    session: AsyncSession, ids: Sequence[uuid.UUID]
) -> list[list[Document]]:
    """Each organisation's profile documents, newest first."""
    return groups(
        ids,
        await session.scalars(
            select(Document)
            .where(
                Document.organisation_id.in_(ids),
                Document.kind.in_(sorted(k.value for k in PROFILE_KINDS)),
            )
            .order_by(Document.uploaded_at.desc(), Document.id)
        ),
        key=attrgetter("organisation_id"),
    )

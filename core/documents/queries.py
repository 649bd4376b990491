"""Bulk reads for documents: one statement per batch, results in key order."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from operator import attrgetter
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from core.documents.kinds import PROFILE_KINDS, DocumentKind
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


async def attachable_documents(session: AsyncSession, organisation_id: uuid.UUID) -> list[Document]:
    """The documents an organisation may attach to an offer, a message or an IPA: all its
    own but its registration spreadsheets, newest first."""
    return list(
        await session.scalars(
            select(Document)
            .where(
                Document.organisation_id == organisation_id,
                Document.kind != DocumentKind.REGISTRATION_SPREADSHEET.value,
            )
            .order_by(Document.uploaded_at.desc(), Document.id)
        )
    )


async def linked_documents(
    session: AsyncSession,
    owner: Any,
    document: Any,
    ids: Sequence[uuid.UUID],
    *order_by: Any,
) -> list[list[Document]]:
    """The documents a link table attaches to each owner, in key order: ``owner`` and
    ``document`` are the link table's two columns (e.g. ``IpaDocument.ipa_id`` and
    ``IpaDocument.document_id``), ``order_by`` the link's order."""
    return groups(
        ids,
        await session.execute(
            select(owner, Document)
            .join(Document, Document.id == document)
            .where(owner.in_(ids))
            .order_by(*order_by)
        ),
    )

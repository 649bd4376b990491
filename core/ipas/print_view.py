"""What an IPA's print view (and its PDF) shows, read for a viewer who may see the IPA."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from core.identity.viewer import Viewer
from core.ipas import queries
from core.models import Document, IpaSignature, User


@dataclass(frozen=True)
class SignatureLine:
    signature: IpaSignature
    signed_by: User
    on_behalf_of: User | None


@dataclass(frozen=True)
class IpaPrint:
    row: queries.IpaRow
    documents: list[Document]
    signatures: list[SignatureLine]


async def ipa_to_print(session: AsyncSession, viewer: Viewer, key: uuid.UUID) -> IpaPrint | None:
    """The IPA, its attachments and its signatures (with who signed, for whom), if ``viewer``
    may see it (``core.ipas.visibility``, as the API); else None."""
    row = await queries.visible_ipa(session, viewer, key)
    if row is None:
        return None
    documents = (await queries.documents_by_ipa_ids(session, [key]))[0]
    signatures = (await queries.signatures_by_ipa_ids(session, [key]))[0]
    people = await _users(
        session, [s.signed_by_id for s in signatures] + [s.on_behalf_of_id for s in signatures]
    )
    lines = [
        SignatureLine(
            s, people[s.signed_by_id], people.get(s.on_behalf_of_id) if s.on_behalf_of_id else None
        )
        for s in signatures
    ]
    return IpaPrint(row, documents, lines)


async def _users(session: AsyncSession, ids: Sequence[uuid.UUID | None]) -> dict[uuid.UUID, User]:
    wanted = {i for i in ids if i is not None}
    if not wanted:
        return {}
    return {u.id: u for u in await session.scalars(select(User).where(User.id.in_(wanted)))}

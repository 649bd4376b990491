"""Human-readable referral references: LA code, year, sequence (e.g. BIR-2026-000042).

The number is claimed with one atomic upsert, so two caseworkers creating referrals at the
same moment get distinct references; the unique constraint on ``Referral.reference`` backs it.
"""

from __future__ import annotations

import uuid

from sqlalchemy.ext.asyncio import AsyncSession

from core.db import upsert_insert
from core.models import ReferralSequence


async def next_reference(
    session: AsyncSession, local_authority_id: uuid.UUID, code: str, year: int
) -> str:
    insert = upsert_insert(session)
    statement = insert(ReferralSequence).values(
        local_authority_id=local_authority_id, year=year, last_value=1
    )
    statement = statement.on_conflict_do_update(
        index_elements=[ReferralSequence.local_authority_id, ReferralSequence.year],
        set_={"last_value": ReferralSequence.last_value + 1},
    ).returning(ReferralSequence.last_value)
    number = (await session.execute(statement)).scalar_one()
    return f"{code}-{year}-{number:06d}"

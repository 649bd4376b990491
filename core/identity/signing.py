"""Signing authority: a signatory lets another user of the organisation sign on their behalf."""

from __future__ import annotations

import uuid

from sqlalchemy import select, update

from core.db import Database
from core.errors import InvalidInput, NotFound
from core.identity.audit import AuditKind, record
from core.identity.viewer import Viewer
from core.models import SigningDelegation, User
from core.models.base import utcnow


async def _colleague(db_session, viewer: Viewer, user_id: uuid.UUID) -> User:
    user = await db_session.get(User, user_id)
    if user is None or user.organisation_id != viewer.organisation_id:
        raise NotFound(
            "No user with this id was found in your organisation.", field=("input", "userId")
        )
    if user.id == viewer.user_id:
        raise InvalidInput(
            "You already sign for yourself; choose another user.", field=("input", "userId")
        )
    return user


async def grant_signing_authority(db: Database, viewer: Viewer, *, user_id: uuid.UUID) -> User:
    """Let ``user_id`` sign on the viewer's behalf; returns the viewer (the signatory)."""
    assert viewer.user_id is not None
    async with db.transaction() as session:
        delegate = await _colleague(session, viewer, user_id)
        existing = await session.scalar(
            select(SigningDelegation.id).where(
                SigningDelegation.signatory_id == viewer.user_id,
                SigningDelegation.delegate_id == delegate.id,
                SigningDelegation.revoked_at.is_(None),
            )
        )
        if existing is None:
            session.add(SigningDelegation(signatory_id=viewer.user_id, delegate_id=delegate.id))
            record(
                session,
                AuditKind.SIGNING_AUTHORITY_GRANTED,
                actor_user_id=viewer.user_id,
                subject_user_id=delegate.id,
                organisation_id=viewer.organisation_id,
                client_address=viewer.client_address,
            )
        signatory = await session.get(User, viewer.user_id)
    assert signatory is not None
    return signatory


async def revoke_signing_authority(db: Database, viewer: Viewer, *, user_id: uuid.UUID) -> User:
    assert viewer.user_id is not None
    async with db.transaction() as session:
        delegate = await _colleague(session, viewer, user_id)
        await session.execute(
            update(SigningDelegation)
            .where(
                SigningDelegation.signatory_id == viewer.user_id,
                SigningDelegation.delegate_id == delegate.id,
                SigningDelegation.revoked_at.is_(None),
            )
            .values(revoked_at=utcnow())
        )
        record(
            session,
            AuditKind.SIGNING_AUTHORITY_REVOKED,
            actor_user_id=viewer.user_id,
            subject_user_id=delegate.id,
            organisation_id=viewer.organisation_id,
            client_address=viewer.client_address,
        )
        signatory = await session.get(User, viewer.user_id)
    assert signatory is not None
    return signatory

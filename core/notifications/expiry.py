"""DOCUMENT_EXPIRING: 30 days before a provider's profile document expires, its admins are
told once (the sweep mark of the document makes a second warning impossible)."""

from __future__ import annotations

import logging
import uuid
from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import exists, or_, select
from sqlalchemy.orm import aliased

from core.db import Database
from core.documents.kinds import DocumentKind
from core.identity.roles import OrganisationKind, Role
from core.jobs.once import claim_once
from core.models import Document, Organisation, SweepMark, User, UserRole
from core.models.base import utcnow
from core.notifications.kinds import NotificationKind
from core.notifications.service import Subject, notify
from core.settings import Settings

logger = logging.getLogger(__name__)

WARNING_DAYS = 30
PROFILE_KINDS = (
    DocumentKind.INSURANCE,
    DocumentKind.OFSTED_CERTIFICATE,
    DocumentKind.STATEMENT_OF_PURPOSE,
    DocumentKind.APPENDIX,
    DocumentKind.OTHER,
)
_LABELS = {
    DocumentKind.INSURANCE: "insurance certificate",
    DocumentKind.OFSTED_CERTIFICATE: "Ofsted certificate",
    DocumentKind.STATEMENT_OF_PURPOSE: "statement of purpose",
    DocumentKind.APPENDIX: "appendix",
    DocumentKind.OTHER: "document",
}
MARK_KIND = NotificationKind.DOCUMENT_EXPIRING.value


@dataclass(frozen=True)
class ExpiringDocument:
    id: uuid.UUID
    organisation_id: uuid.UUID
    kind: str
    name: str
    expires_on: date


async def expiring_documents(db: Database, today: date) -> list[ExpiringDocument]:
    """Providers' current profile documents expiring within 30 days, not warned of yet.

    A document replaced by a newer upload of the same kind that expires later (a renewed
    certificate) is not current and is not warned of.
    """
    newer = aliased(Document)
    statement = (
        select(
            Document.id, Document.organisation_id, Document.kind, Document.name, Document.expires_on
        )
        .join(Organisation, Organisation.id == Document.organisation_id)
        .where(
            Organisation.kind == OrganisationKind.PROVIDER.value,
            Document.kind.in_([k.value for k in PROFILE_KINDS]),
            Document.expires_on >= today,
            Document.expires_on <= today + timedelta(days=WARNING_DAYS),
            ~exists().where(
                newer.organisation_id == Document.organisation_id,
                newer.kind == Document.kind,
                newer.uploaded_at > Document.uploaded_at,
                or_(newer.expires_on.is_(None), newer.expires_on > Document.expires_on),
            ),
        )
        .order_by(Document.expires_on)
    )
    async with db.session() as session:
        # expires_on is non-null by the WHERE.
        rows = [ExpiringDocument(*row) for row in (await session.execute(statement)).all()]  # type: ignore[arg-type]
        if not rows:
            return []
        warned = set(
            await session.scalars(
                select(SweepMark.key).where(
                    SweepMark.kind == MARK_KIND, SweepMark.key.in_([r.id.hex for r in rows])
                )
            )
        )
    return [r for r in rows if r.id.hex not in warned]


async def warn_expiring_documents(
    db: Database, settings: Settings, *, today: date | None = None
) -> int:
    """Warn the admins of each provider whose profile document expires within 30 days.

    Idempotent and safe to run concurrently: each document is warned of in its own unit of
    work that first claims the document's sweep mark. Returns how many documents were warned of.
    """
    today = today or utcnow().date()
    warned = 0
    for document in await expiring_documents(db, today):
        async with db.transaction() as session:
            if not await claim_once(session, MARK_KIND, document.id.hex):
                continue
            admins = (
                select(User.id)
                .join(UserRole, UserRole.user_id == User.id)
                .where(
                    User.organisation_id == document.organisation_id,
                    User.is_active.is_(True),
                    UserRole.role == Role.PROVIDER_ADMIN.value,
                )
            )
            label = _LABELS.get(DocumentKind(document.kind), "document")
            days = (document.expires_on - today).days
            when = "today" if days == 0 else f"in {days} day{'s' if days != 1 else ''}"
            message = (
                f"Your {label} ({document.name}) expires {when}, on "
                f"{document.expires_on:%d %B %Y}. Upload the renewed one so local authorities "
                "keep seeing a valid document."
            )
            await notify(
                session,
                settings,
                recipients=admins,
                kind=NotificationKind.DOCUMENT_EXPIRING,
                message=message,
                subject=Subject("Document", document.id),
                email_subject=f"Placement portal: your {label} expires {when}",
            )
            warned += 1
    if warned:
        logger.info("warned of %d expiring documents", warned)
    return warned

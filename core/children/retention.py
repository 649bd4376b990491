"""Retention: a closed referral's personal data is purged after its LA's retention period,
an IPA's after its own; what remains is anonymous and keeps the statistics.

Closed: PLACED (from its offer's acceptance), WITHDRAWN (from its withdrawal), or sent with no
live offer ``referral_closed_after_days`` after its last send. The purge removes the children's
ages (kept as bands) and genders, the summary, details and postcode (its district stays), the
snapshots providers received, messages and their attachments, referral forms, offer details
and the links to offer documents, then deletes the documents and files nothing refers to any
more (never a provider's profile documents). Kept: category, LA, dates, counts, fees, outcome,
decline reasons. An IPA's period counts from when it was signed (or superseded, or enabled if
never signed; the portal does not record when a placement ends); its terms keep only the
figures and its attachments go the same way.

Each referral is purged once (``purged_at``), with an audit row, in batches of
``purge_batch_size`` per transaction: running it again, or twice at once, purges nothing twice.
The clock is a parameter (``now``): the scheduler passes the time, the tests their own.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import and_, delete, exists, func, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from core.db import Database
from core.documents.kinds import PROFILE_KINDS
from core.documents.storage import document_store
from core.identity.audit import AuditKind, record
from core.identity.roles import OrganisationKind
from core.models import (
    DataExport,
    Document,
    Ipa,
    IpaDocument,
    Message,
    MessageDocument,
    MessageThread,
    MessageThreadRead,
    Offer,
    OfferDocument,
    Organisation,
    ProviderRegistration,
    Referral,
    ReferralDocument,
    ReferralVersion,
)
from core.models.offers import LIVE_OFFER_STATUSES
from core.referrals.kinds import ReferralStatus
from core.settings import Settings

logger = logging.getLogger("portal.retention")

AGE_BANDS = ((0, 4), (5, 9), (10, 15), (16, 17))
FROZEN_IPA_STATUSES = ("READY_FOR_SIGNING", "SIGNED", "SUPERSEDED")
#: What an IPA's terms keep after the purge (the figures of the statistics).
IPA_TERMS_KEPT = ("referralReference", "category", "coreFee", "additionalCosts", "startDate")


def age_band(age: int) -> str:
    for low, high in AGE_BANDS:
        if low <= age <= high:
            return f"{low}-{high}"
    return "unknown"


def purged_children(children: Iterable[dict[str, Any]]) -> list[dict[str, Any]]:
    """Ages become bands; genders and needs go."""
    return [{"ageBand": age_band(int(c["age"]))} if "age" in c else dict(c) for c in children]


def postcode_district(postcode: str | None) -> str | None:
    if not postcode:
        return None
    return postcode.split()[0] if " " in postcode else postcode[:-3] or None


@dataclass
class PurgeReport:
    referrals: list[str] = field(default_factory=list)
    ipas: list[str] = field(default_factory=list)
    files_deleted: int = 0
    exports_deleted: int = 0
    dry_run: bool = False

    def lines(self) -> list[str]:
        verb = "would purge" if self.dry_run else "purged"
        return [
            f"{verb} {len(self.referrals)} referral(s): {', '.join(self.referrals) or '-'}",
            f"{verb} {len(self.ipas)} IPA(s) of: {', '.join(self.ipas) or '-'}",
            *([] if self.dry_run else [f"deleted {self.files_deleted} stored file(s)"]),
            f"{'would delete' if self.dry_run else 'deleted'} {self.exports_deleted} expired "
            "export(s)",
        ]


def _policy(settings: Settings) -> tuple[Any, Any]:
    """SQL for each LA's retention periods, in days (its own, else the platform default)."""
    days = func.coalesce(Organisation.retention_days, settings.retention_days_default)
    ipa_days = func.coalesce(Organisation.ipa_retention_days, settings.ipa_retention_days_default)
    return days, ipa_days


async def _closed_at(
    session: AsyncSession, referral: Referral, settings: Settings
) -> datetime | None:
    if referral.status == ReferralStatus.WITHDRAWN.value:
        return referral.withdrawn_at or referral.updated_at
    if referral.status == ReferralStatus.PLACED.value:
        accepted = await session.scalar(
            select(func.max(Offer.decided_at)).where(
                Offer.referral_id == referral.id, Offer.status == "ACCEPTED"
            )
        )
        return accepted or referral.updated_at
    if referral.status == ReferralStatus.SENT.value and referral.sent_at is not None:
        live = await session.scalar(
            select(Offer.id)
            .where(Offer.referral_id == referral.id, Offer.status.in_(LIVE_OFFER_STATUSES))
            .limit(1)
        )
        if live is None:
            return referral.sent_at + timedelta(days=settings.referral_closed_after_days)
    return None


async def _ipa_ended_at(
    session: AsyncSession, referral_id: uuid.UUID
) -> list[tuple[Ipa, datetime]]:
    ipas = await session.scalars(
        select(Ipa).where(
            Ipa.referral_id == referral_id,
            Ipa.purged_at.is_(None),
            Ipa.status.in_(FROZEN_IPA_STATUSES),
            Ipa.content_hash.is_not(None),
        )
    )
    return [
        (ipa, ipa.superseded_at or ipa.signed_at or ipa.enabled_at or ipa.created_at)
        for ipa in ipas
    ]


async def _candidates(
    session: AsyncSession, after: uuid.UUID | None, limit: int
) -> list[uuid.UUID]:
    """Closed-looking referrals not purged yet, or with an IPA not purged yet (ordered by id,
    from ``after``): each is then checked against its dates."""
    open_ipa = exists().where(
        Ipa.referral_id == Referral.id,
        Ipa.purged_at.is_(None),
        Ipa.status.in_(FROZEN_IPA_STATUSES),
    )
    statement = (
        select(Referral.id)
        .where(
            Referral.status != ReferralStatus.DRAFT.value,
            or_(Referral.purged_at.is_(None), open_ipa),
        )
        .order_by(Referral.id)
        .limit(limit)
    )
    if after is not None:
        statement = statement.where(Referral.id > after)
    return list(await session.scalars(statement))


async def purge(
    db: Database, settings: Settings, *, now: datetime, dry_run: bool = False
) -> PurgeReport:
    """Purge every referral and IPA whose retention period ended by ``now``."""
    report = PurgeReport(dry_run=dry_run)
    after: uuid.UUID | None = None
    store = document_store(settings)
    while True:
        orphans: set[str] = set()
        async with db.transaction() as session:
            ids = await _candidates(session, after, settings.purge_batch_size)
            if not ids:
                break
            after = ids[-1]
            for referral_id in ids:
                await _purge_one(session, settings, referral_id, now, report, orphans, dry_run)
        for key in sorted(orphans):
            await store.delete(key)
            report.files_deleted += 1
    report.exports_deleted = await _expire_exports(db, settings, now, dry_run)
    return report


async def _expire_exports(db: Database, settings: Settings, now: datetime, dry_run: bool) -> int:
    """Exports are kept ``export_keep_days``: a zip of a child's case must not linger."""
    cutoff = now - timedelta(days=settings.export_keep_days)
    async with db.transaction() as session:
        expired = list(
            (
                await session.execute(
                    select(DataExport.id, DataExport.storage_key).where(
                        DataExport.created_at < cutoff
                    )
                )
            ).all()
        )
        if expired and not dry_run:
            await session.execute(
                delete(DataExport).where(DataExport.id.in_([e[0] for e in expired]))
            )
    if not dry_run:
        store = document_store(settings)
        for _, key in expired:
            if key:
                await store.delete(key)
    return len(expired)


async def _purge_one(
    session: AsyncSession,
    settings: Settings,
    referral_id: uuid.UUID,
    now: datetime,
    report: PurgeReport,
    orphans: set[str],
    dry_run: bool,
) -> None:
    referral = await session.scalar(
        select(Referral).where(Referral.id == referral_id).with_for_update()
    )
    if referral is None:
        return
    days, ipa_days = await _days(session, settings, referral)
    documents: set[uuid.UUID] = set()
    if referral.purged_at is None:
        closed = await _closed_at(session, referral, settings)
        if closed is not None and closed + timedelta(days=days) <= now:
            report.referrals.append(referral.reference)
            if not dry_run:
                documents |= await _purge_referral(session, referral, now)
    for ipa, ended in await _ipa_ended_at(session, referral.id):
        if ended + timedelta(days=ipa_days) <= now:
            report.ipas.append(referral.reference)
            if not dry_run:
                documents |= await _purge_ipa(session, referral, ipa, now)
    if documents and not dry_run:
        orphans |= await _delete_unreferenced(session, documents)


async def _days(session: AsyncSession, settings: Settings, referral: Referral) -> tuple[int, int]:
    row = (
        await session.execute(
            select(*_policy(settings)).where(Organisation.id == referral.local_authority_id)
        )
    ).one()
    return int(row[0]), int(row[1])


async def _purge_referral(
    session: AsyncSession, referral: Referral, now: datetime
) -> set[uuid.UUID]:
    """Remove the referral's personal data; the documents whose links went."""
    district = postcode_district(referral.postcode)
    referral.children = purged_children(referral.children)
    referral.summary = ""
    referral.details = {}
    referral.postcode = district
    referral.withdraw_reason = None
    referral.purged_at = now
    for version in await session.scalars(
        select(ReferralVersion).where(ReferralVersion.referral_id == referral.id)
    ):
        content = dict(version.content or {})
        version.content = {
            "children": purged_children(content.get("children") or []),
            "summary": "",
            "urgency": content.get("urgency", referral.urgency),
            "postcode": postcode_district(content.get("postcode")),
            "requiredFrom": content.get("requiredFrom"),
            "details": {},
            "documentIds": [],
        }
    documents: set[uuid.UUID] = set()
    documents |= set(
        await session.scalars(
            select(ReferralDocument.document_id).where(ReferralDocument.referral_id == referral.id)
        )
    )
    await session.execute(
        delete(ReferralDocument).where(ReferralDocument.referral_id == referral.id)
    )
    threads = select(MessageThread.id).where(MessageThread.referral_id == referral.id)
    messages = select(Message.id).where(Message.thread_id.in_(threads))
    documents |= set(
        await session.scalars(
            select(MessageDocument.document_id).where(MessageDocument.message_id.in_(messages))
        )
    )
    await session.execute(delete(MessageDocument).where(MessageDocument.message_id.in_(messages)))
    await session.execute(delete(Message).where(Message.thread_id.in_(threads)))
    await session.execute(delete(MessageThreadRead).where(MessageThreadRead.thread_id.in_(threads)))
    offers = select(Offer.id).where(Offer.referral_id == referral.id)
    documents |= set(
        await session.scalars(
            select(OfferDocument.document_id).where(OfferDocument.offer_id.in_(offers))
        )
    )
    await session.execute(delete(OfferDocument).where(OfferDocument.offer_id.in_(offers)))
    await session.execute(update(Offer).where(Offer.referral_id == referral.id).values(details={}))
    record(
        session,
        AuditKind.REFERRAL_PURGED,
        organisation_id=referral.local_authority_id,
        referral_id=str(referral.id),
        reference=referral.reference,
    )
    return documents


async def _purge_ipa(
    session: AsyncSession, referral: Referral, ipa: Ipa, now: datetime
) -> set[uuid.UUID]:
    terms = ipa.terms or {}
    ipa.terms = {k: terms[k] for k in IPA_TERMS_KEPT if k in terms}
    ipa.purged_at = now
    await session.flush()  # the IPA is purged before its documents' links go (0010's rule)
    documents = set(
        await session.scalars(select(IpaDocument.document_id).where(IpaDocument.ipa_id == ipa.id))
    )
    await session.execute(delete(IpaDocument).where(IpaDocument.ipa_id == ipa.id))
    record(
        session,
        AuditKind.IPA_PURGED,
        organisation_id=referral.local_authority_id,
        referral_id=str(referral.id),
        ipa_id=str(ipa.id),
        reference=referral.reference,
    )
    return documents


async def _delete_unreferenced(session: AsyncSession, ids: set[uuid.UUID]) -> set[str]:
    """Delete the documents of ``ids`` nothing refers to any more (never a provider's profile
    document); the storage keys no document uses any more (files to delete after commit)."""
    await session.flush()
    referenced = or_(
        exists().where(ReferralDocument.document_id == Document.id),
        exists().where(MessageDocument.document_id == Document.id),
        exists().where(OfferDocument.document_id == Document.id),
        exists().where(IpaDocument.document_id == Document.id),
        exists().where(ProviderRegistration.spreadsheet_id == Document.id),
    )
    provider_profile = and_(
        Document.kind.in_([k.value for k in PROFILE_KINDS]),
        exists().where(
            Organisation.id == Document.organisation_id,
            Organisation.kind == OrganisationKind.PROVIDER.value,
        ),
    )
    gone = list(
        (
            await session.execute(
                select(Document.id, Document.storage_key).where(
                    Document.id.in_(ids), ~referenced, ~provider_profile
                )
            )
        ).all()
    )
    if not gone:
        return set()
    await session.execute(delete(Document).where(Document.id.in_([g[0] for g in gone])))
    keys = {g[1] for g in gone}
    still_used = set(
        await session.scalars(select(Document.storage_key).where(Document.storage_key.in_(keys)))
    )
    return keys - still_used

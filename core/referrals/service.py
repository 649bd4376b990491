"""The life of a referral: create, edit, send (match and deliver), withdraw, decline."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import Select, Uuid, case, delete, insert, literal, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from core.access import PROVIDER_STAFF_VALUES
from core.bulk import json_rows
from core.db import Database, dialect_of
from core.errors import InvalidInput, InvalidState, NotFound
from core.identity.viewer import Viewer
from core.ids import time_ordered_id
from core.keep import KEEP
from core.models import (
    CategorySettings,
    DeliveryHome,
    Document,
    Organisation,
    Referral,
    ReferralDelivery,
    ReferralDocument,
    ReferralVersion,
    User,
    UserRole,
)
from core.models.base import utcnow
from core.notifications.kinds import NotificationKind
from core.notifications.service import Subject, notify
from core.plugins.registry import CategoryRegistry
from core.referrals.content import ChildInput, ReferralContent, check_content
from core.referrals.deadlines import response_time
from core.referrals.kinds import OPEN_STATUSES, DeclineReasonCode, DeliveryStatus, ReferralStatus
from core.referrals.matching import match_providers, match_request
from core.referrals.references import next_reference
from core.settings import Settings
from core.vacancies import vacancy_check
from core.webhooks.events import WebhookEvent, emit

REFERRAL_DOCUMENT_KINDS = frozenset({"REFERRAL_FORM", "OTHER"})


class CategoryNotEnabled(InvalidInput):
    code = "CATEGORY_NOT_ENABLED"


@dataclass(frozen=True)
class SendResult:
    referral: Referral
    delivered_count: int


def _content_of(referral: Referral, document_ids: Sequence[uuid.UUID]) -> ReferralContent:
    return ReferralContent(
        children=tuple(referral.children),
        summary=referral.summary,
        urgency=referral.urgency,
        postcode=referral.postcode,
        required_from=referral.required_from,
        details=referral.details or {},
        document_ids=tuple(str(d) for d in document_ids),
    )


async def _la_referral(session: AsyncSession, viewer: Viewer, referral_id: uuid.UUID) -> Referral:
    referral = await session.scalar(
        select(Referral).where(Referral.id == referral_id).with_for_update()
    )
    if referral is None or referral.local_authority_id != viewer.organisation_id:
        raise NotFound("No referral with this id was found.", field=("input", "id"))
    return referral


async def _check_documents(
    session: AsyncSession, viewer: Viewer, document_ids: Sequence[uuid.UUID]
) -> list[uuid.UUID]:
    ids = list(dict.fromkeys(document_ids))
    if not ids:
        return []
    found = {
        row.id: row for row in await session.scalars(select(Document).where(Document.id.in_(ids)))
    }
    for index, document_id in enumerate(ids):
        document = found.get(document_id)
        if document is None or document.organisation_id != viewer.organisation_id:
            raise NotFound(
                "No document with this id was found among your organisation's.",
                field=("input", "documentIds", str(index)),
            )
        if document.kind not in REFERRAL_DOCUMENT_KINDS:
            raise InvalidInput(
                f"Attach referral forms (kind REFERRAL_FORM) to a referral; this document is "
                f"{document.kind}.",
                field=("input", "documentIds", str(index)),
            )
    return ids


async def _document_ids(session: AsyncSession, referral_id: uuid.UUID) -> list[uuid.UUID]:
    return list(
        await session.scalars(
            select(ReferralDocument.document_id)
            .where(ReferralDocument.referral_id == referral_id)
            .order_by(ReferralDocument.position)
        )
    )


async def _set_documents(
    session: AsyncSession, referral_id: uuid.UUID, ids: Sequence[uuid.UUID]
) -> None:
    await session.execute(
        delete(ReferralDocument).where(ReferralDocument.referral_id == referral_id)
    )
    if ids:
        await session.execute(
            insert(ReferralDocument),
            [
                {"referral_id": referral_id, "document_id": d, "position": i}
                for i, d in enumerate(ids)
            ],
        )


def _enabled(organisation: Organisation, category: str, registry: CategoryRegistry) -> None:
    if category not in (organisation.enabled_categories or []):
        enabled = ", ".join(organisation.enabled_categories or []) or "none"
        raise CategoryNotEnabled(
            f"{organisation.name} is not enabled to send {registry.get(category).label} referrals "
            f"on the portal (enabled: {enabled}). Ask the platform to enable the category.",
            field=("input", "category"),
        )


async def create_referral(
    db: Database,
    registry: CategoryRegistry,
    viewer: Viewer,
    *,
    category: str,
    children: Sequence[ChildInput],
    summary: str,
    urgency: str | None,
    postcode: str | None,
    required_from: date | None,
    details: dict[str, Any] | None,
    document_ids: Sequence[uuid.UUID] = (),
) -> Referral:
    """A DRAFT referral of the viewer's LA, with a reference unique even under concurrency."""
    content = check_content(
        registry,
        category,
        children=children,
        summary=summary,
        urgency=urgency,
        postcode=postcode,
        required_from=required_from,
        details=details,
    )
    async with db.transaction() as session:
        organisation = await session.get(Organisation, viewer.organisation_id)
        assert organisation is not None
        _enabled(organisation, category, registry)
        ids = await _check_documents(session, viewer, document_ids)
        now = utcnow()
        referral = Referral(
            local_authority_id=organisation.id,
            reference=await next_reference(
                session, organisation.id, organisation.code or "LA", now.year
            ),
            category=category,
            status=ReferralStatus.DRAFT.value,
            urgency=content.urgency,
            version=1,
            children=list(content.children),
            summary=content.summary,
            postcode=content.postcode,
            required_from=content.required_from,
            details=dict(content.details),
            created_by_id=viewer.user_id,
            created_by_api_token_id=viewer.api_token_id,
            created_at=now,
            updated_at=now,
        )
        session.add(referral)
        await session.flush()
        await _set_documents(session, referral.id, ids)
    return referral


async def update_referral(
    db: Database,
    registry: CategoryRegistry,
    viewer: Viewer,
    *,
    referral_id: uuid.UUID,
    children: Sequence[ChildInput] | Any = KEEP,
    summary: str | Any = KEEP,
    urgency: str | Any = KEEP,
    postcode: str | Any | None = KEEP,
    required_from: date | Any | None = KEEP,
    details: dict[str, Any] | Any | None = KEEP,
    document_ids: Sequence[uuid.UUID] | Any | None = KEEP,
) -> Referral:
    """Change a DRAFT or SENT referral; its version goes up when (and only when) content changes."""
    async with db.transaction() as session:
        referral = await _la_referral(session, viewer, referral_id)
        if referral.status not in OPEN_STATUSES:
            raise InvalidState(f"A {referral.status} referral cannot be changed.")
        current_ids = await _document_ids(session, referral.id)
        before = _content_of(referral, current_ids)
        content = check_content(
            registry,
            referral.category,
            children=[ChildInput(**c) for c in referral.children] if children is KEEP else children,
            summary=referral.summary if summary is KEEP else summary,
            urgency=referral.urgency if urgency is KEEP else urgency,
            postcode=referral.postcode if postcode is KEEP else postcode,
            required_from=referral.required_from if required_from is KEEP else required_from,
            details=referral.details if details is KEEP else details,
        )
        ids = (
            current_ids
            if document_ids is KEEP
            else await _check_documents(session, viewer, document_ids or [])
        )
        after = ReferralContent(**{**content.__dict__, "document_ids": tuple(str(d) for d in ids)})
        if after.snapshot() == before.snapshot():
            return referral
        referral.children = list(after.children)
        referral.summary = after.summary
        referral.urgency = after.urgency
        referral.postcode = after.postcode
        referral.required_from = after.required_from
        referral.details = dict(after.details)
        referral.version += 1
        referral.updated_at = utcnow()
        if ids != current_ids:
            await _set_documents(session, referral.id, ids)
    return referral


def _staff_of(providers: Select[Any]) -> Select[uuid.UUID]:
    """The provider staff who hear about referrals (signatory-only users see only IPAs).

    Each person once, found through their organisation (a send reaches hundreds)."""
    reads_referrals = (
        select(UserRole.user_id)
        .where(UserRole.user_id == User.id, UserRole.role.in_(PROVIDER_STAFF_VALUES))
        .exists()
    )
    return select(User.id).where(User.organisation_id.in_(providers), reads_referrals)


_DELIVERY_COLUMNS = {"delivery_id": Uuid(), "provider_id": Uuid()}
_HOME_COLUMNS = {"delivery_id": Uuid(), "home_id": Uuid()}


async def _deliver(
    session: AsyncSession,
    referral_id: uuid.UUID,
    version: int,
    now: datetime,
    *,
    new: Sequence[tuple[str, str]],
    renewed: Sequence[tuple[str, str]],
    homes: Sequence[tuple[str, str]],
) -> None:
    """Write the deliveries of ``version`` and their matched homes.

    ``new`` and ``renewed`` are (delivery id, provider id) pairs and ``homes`` (delivery id,
    home id) pairs, as hex. A regional send writes over a thousand rows, so each table gets
    one statement reading its rows from a JSON parameter (see core/bulk.py).
    """
    dialect = dialect_of(session)
    deliveries = ReferralDelivery.__table__
    if new:
        rows = json_rows(dialect, new, _DELIVERY_COLUMNS)
        await session.execute(
            insert(deliveries).from_select(
                ["id", "provider_id", "referral_id", "status", "version", "delivered_at"],
                select(
                    rows.c.delivery_id,
                    rows.c.provider_id,
                    literal(referral_id, deliveries.c.referral_id.type),
                    literal(DeliveryStatus.NEW.value),
                    literal(version),
                    literal(now, deliveries.c.delivered_at.type),
                ),
            )
        )
    if renewed:
        ids = select(json_rows(dialect, renewed, _DELIVERY_COLUMNS).c.delivery_id)
        offered = DeliveryStatus.OFFERED.value
        await session.execute(
            update(deliveries)
            .where(deliveries.c.id.in_(ids))
            .values(
                version=version,
                # An offer made stays made; anything else (declined too) is new again.
                status=case(
                    (deliveries.c.status == offered, offered), else_=DeliveryStatus.NEW.value
                ),
                delivered_at=now,
                declined_at=None,
                decline_reason=None,
                decline_reason_code=None,
                responded_at=case(
                    (deliveries.c.status == offered, deliveries.c.responded_at), else_=None
                ),
                deadline_reminded_at=None,
                # A version nobody there has opened: "New" again (core/referrals/opening.py).
                opened_at=None,
            )
        )
        await session.execute(
            delete(DeliveryHome.__table__).where(DeliveryHome.__table__.c.delivery_id.in_(ids))
        )
    if homes:
        rows = json_rows(dialect, homes, _HOME_COLUMNS)
        await session.execute(
            insert(DeliveryHome.__table__).from_select(
                ["delivery_id", "home_id"], select(rows.c.delivery_id, rows.c.home_id)
            )
        )


async def send_referral(
    db: Database,
    registry: CategoryRegistry,
    settings: Settings,
    viewer: Viewer,
    *,
    referral_id: uuid.UUID,
) -> SendResult:
    """Deliver the current version to every matching provider that does not have it yet."""
    async with db.transaction() as session:
        referral = await _la_referral(session, viewer, referral_id)
        if referral.status not in OPEN_STATUSES:
            raise InvalidState(f"A {referral.status} referral cannot be sent.")
        organisation = await session.get(Organisation, referral.local_authority_id)
        assert organisation is not None
        _enabled(organisation, referral.category, registry)
        stored = await session.scalar(
            select(CategorySettings.settings).where(CategorySettings.category == referral.category)
        )
        category_settings = registry.effective_settings(referral.category, stored)
        document_ids = await _document_ids(session, referral.id)
        version = referral.version
        if await session.get(ReferralVersion, (referral.id, version)) is None:
            session.add(
                ReferralVersion(
                    referral_id=referral.id,
                    version=version,
                    content=_content_of(referral, document_ids).snapshot(),
                )
            )
        request = match_request(
            referral_id=referral.id,
            local_authority_id=organisation.id,
            local_authority_name=organisation.name,
            category=referral.category,
            children=referral.children,
            details=referral.details or {},
            postcode=referral.postcode,
        )
        now = utcnow()
        matches = await match_providers(
            session,
            registry,
            request,
            category_settings,
            referral.children,
            vacancy=vacancy_check(settings, len(referral.children), referral.required_from, now),
        )
        auto_decliners = set(
            await session.scalars(
                select(Organisation.id).where(Organisation.auto_decline_without_vacancy.is_(True))
            )
        )
        existing = {
            row.provider_id: row
            for row in (
                await session.execute(
                    select(
                        ReferralDelivery.id,
                        ReferralDelivery.provider_id,
                        ReferralDelivery.version,
                        ReferralDelivery.status,
                    ).where(ReferralDelivery.referral_id == referral.id)
                )
            ).all()
        }
        new: list[tuple[str, str]] = []  # (delivery id, provider id), as hex
        renewed: list[tuple[str, str]] = []
        homes: list[tuple[str, str]] = []  # (delivery id, home id)
        declined: list[tuple[str, str]] = []  # answered at once: no home has a vacancy
        for provider_id, home_ids in matches.homes.items():
            delivery = existing.get(provider_id)
            if delivery is None:
                delivery_id = time_ordered_id().hex
                new.append((delivery_id, provider_id.hex))
            elif delivery.version < version:
                delivery_id = delivery.id.hex
                renewed.append((delivery_id, provider_id.hex))
            else:
                continue  # this provider has this version already (declined or not)
            homes.extend((delivery_id, home_id.hex) for home_id in home_ids)
            if provider_id in auto_decliners and not matches.provider_has_vacancy(provider_id):
                declined.append((delivery_id, provider_id.hex))
        await _deliver(session, referral.id, version, now, new=new, renewed=renewed, homes=homes)
        if declined:
            await _decline_for_no_vacancy(session, [d for d, _ in declined], now)
        referral.status = ReferralStatus.SENT.value
        referral.sent_at = now
        referral.first_sent_at = referral.first_sent_at or now
        if referral.respond_by is None:
            referral.respond_by = now + response_time(organisation, referral.urgency)
        skipped = {d for d, _ in declined}
        reached_pairs = [(d, p) for d, p in (*new, *renewed) if d not in skipped]
        reached = [p for _, p in reached_pairs]
        await emit(
            session,
            organisation_id=organisation.id,
            event=WebhookEvent.REFERRAL_DELIVERED,
            subject_type="ReferralDelivery",
            subject_keys=[uuid.UUID(hex=d) for d, _ in reached_pairs],
            referral_key=referral.id,
        )
        if reached:
            delivered = json_rows(
                dialect_of(session),
                [(provider_id,) for provider_id in reached],
                {"provider_id": Uuid()},
            )
            label = registry.get(referral.category).label
            await notify(
                session,
                settings,
                recipients=_staff_of(select(delivered.c.provider_id)),
                kind=NotificationKind.REFERRAL_RECEIVED,
                message=f"New {label} referral {referral.reference} from {organisation.name}"
                + (f" (version {version})" if version > 1 else "")
                + ".",
                subject=Subject("Referral", referral.id),
                email_subject=f"New referral {referral.reference}",
            )
    return SendResult(referral, len(reached))


AUTO_DECLINE_REASON = "Declined automatically: none of our matching homes has a declared vacancy."


async def _decline_for_no_vacancy(
    session: AsyncSession, delivery_ids: Sequence[str], now: datetime
) -> None:
    """The provider's setting answers for it: a NO_VACANCY decline, nothing delivered."""
    deliveries = ReferralDelivery.__table__
    ids = select(
        json_rows(
            dialect_of(session), [(d,) for d in delivery_ids], {"delivery_id": Uuid()}
        ).c.delivery_id
    )
    await session.execute(
        update(deliveries)
        .where(deliveries.c.id.in_(ids))
        .values(
            status=DeliveryStatus.DECLINED.value,
            declined_at=now,
            decline_reason=AUTO_DECLINE_REASON,
            decline_reason_code=DeclineReasonCode.NO_VACANCY.value,
            responded_at=now,
        )
    )


async def withdraw_referral(
    db: Database, settings: Settings, viewer: Viewer, *, referral_id: uuid.UUID, reason: str
) -> Referral:
    cleaned = reason.strip()
    if not cleaned:
        raise InvalidInput(
            "Give the reason for withdrawing the referral; providers who received it are told.",
            field=("input", "reason"),
        )
    async with db.transaction() as session:
        referral = await _la_referral(session, viewer, referral_id)
        if referral.status not in OPEN_STATUSES:
            raise InvalidState(f"A {referral.status} referral cannot be withdrawn.")
        referral.status = ReferralStatus.WITHDRAWN.value
        referral.withdrawn_at = utcnow()
        referral.withdraw_reason = cleaned[:2000]
        providers = select(ReferralDelivery.provider_id).where(
            ReferralDelivery.referral_id == referral.id
        )
        await notify(
            session,
            settings,
            recipients=_staff_of(providers),
            kind=NotificationKind.REFERRAL_WITHDRAWN,
            message=f"Referral {referral.reference} was withdrawn: {cleaned[:500]}",
            subject=Subject("Referral", referral.id),
        )
    return referral


async def decline_referral(
    db: Database,
    viewer: Viewer,
    *,
    referral_id: uuid.UUID,
    reason: str,
    reason_code: str | None = None,
) -> Referral:
    """A provider declines the version it received; an edited version will reach it again."""
    cleaned = reason.strip()
    if not cleaned:
        raise InvalidInput(
            "Give the reason for declining; it helps the local authority.",
            field=("input", "reason"),
        )
    async with db.transaction() as session:
        row = (
            await session.execute(
                select(Referral, ReferralDelivery)
                .join(ReferralDelivery, ReferralDelivery.referral_id == Referral.id)
                .where(
                    Referral.id == referral_id,
                    ReferralDelivery.provider_id == viewer.organisation_id,
                )
                .with_for_update()
            )
        ).first()
        if row is None:
            raise NotFound("No referral with this id was found.", field=("input", "id"))
        referral, delivery = row
        if delivery.status == DeliveryStatus.OFFERED.value:
            raise InvalidState(
                "You have made an offer on this referral: withdraw the offer instead."
            )
        if referral.status != ReferralStatus.SENT.value:
            raise InvalidState(f"A {referral.status} referral cannot be declined.")
        now = utcnow()
        delivery.status = DeliveryStatus.DECLINED.value
        delivery.declined_at = now
        delivery.decline_reason = cleaned[:2000]
        delivery.decline_reason_code = reason_code or DeclineReasonCode.OTHER.value
        delivery.responded_at = delivery.responded_at or now
    return referral

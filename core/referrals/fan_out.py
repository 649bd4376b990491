"""The send fan-out: a referral's version matched against every provider, delivered to the
matching ones (a regional send writes thousands of rows), answered at once for providers that
decline without a vacancy, and the providers' staff and the LA's systems told."""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Select, Uuid, case, delete, insert, literal, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from core.access import PROVIDER_STAFF_VALUES
from core.bulk import json_rows
from core.db import dialect_of
from core.ids import time_ordered_id
from core.models import (
    DeliveryHome,
    Organisation,
    Referral,
    ReferralDelivery,
    User,
    UserRole,
)
from core.notifications.kinds import NotificationKind
from core.notifications.service import Subject, notify
from core.plugins.registry import CategoryRegistry
from core.referrals.kinds import DeclineReasonCode, DeliveryStatus
from core.referrals.matching import match_providers, match_request
from core.settings import Settings
from core.vacancies import vacancy_check
from core.webhooks.events import WebhookEvent, emit


def staff_of(providers: Select[Any]) -> Select[uuid.UUID]:
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


async def deliver_to_matches(
    session: AsyncSession,
    registry: CategoryRegistry,
    settings: Settings,
    organisation: Organisation,
    referral: Referral,
    category_settings: Mapping[str, Any],
    version: int,
    now: datetime,
) -> list[tuple[str, str]]:
    """Deliver ``version`` to every matching provider that does not have it yet; the
    (delivery id, provider id) pairs, as hex, of the deliveries that reached a provider."""
    request = match_request(
        referral_id=referral.id,
        local_authority_id=organisation.id,
        local_authority_name=organisation.name,
        category=referral.category,
        children=referral.children,
        details=referral.details or {},
        postcode=referral.postcode,
    )
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
    skipped = {d for d, _ in declined}
    reached_pairs = [(d, p) for d, p in (*new, *renewed) if d not in skipped]
    return reached_pairs


async def tell_providers(
    session: AsyncSession,
    registry: CategoryRegistry,
    settings: Settings,
    organisation: Organisation,
    referral: Referral,
    version: int,
    reached_pairs: Sequence[tuple[str, str]],
) -> None:
    """The LA's systems hear of the deliveries (webhook); the reached providers' staff are
    told of the referral."""
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
            recipients=staff_of(select(delivered.c.provider_id)),
            kind=NotificationKind.REFERRAL_RECEIVED,
            message=f"New {label} referral {referral.reference} from {organisation.name}"
            + (f" (version {version})" if version > 1 else "")
            + ".",
            subject=Subject("Referral", referral.id),
            email_subject=f"New referral {referral.reference}",
        )

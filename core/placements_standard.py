"""An LA's referrals and agreed placements in the DfE Children's Social Care Placements Data
Standard (v2: ``SocialCareData/placements-standard``, ``placements.json``).

One row per referral sent (``recordType`` REFERRAL) and one per agreed placement (PLACEMENT:
an ACCEPTED offer), each with every field of the standard, in its names and codes, empty where
the portal holds nothing. Two columns of the portal's own come first: ``recordType`` and
``portalReference`` (the referral's reference). The README documents each field.
"""

from __future__ import annotations

import csv
import io
import json
import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from core.errors import InvalidInput, NotFound
from core.models import Home, Offer, Organisation, Referral, User
from core.offers.kinds import CostFrequency, OfferStatus
from core.plugins.registry import CategoryRegistry
from core.referrals.kinds import Urgency

#: The standard's fields, in its order (entity by entity).
STANDARD_FIELDS: tuple[str, ...] = (
    # PlacementAvailability
    "childId",
    "neededBy",
    "siblingCount",
    "preferredLocation",
    # PlacementRequirements
    "communicationNeeds",
    "specificCommunicationRequirements",
    "homeAdaptation",
    "culturalNeeds",
    "livingCompanions",
    "pets",
    "additionalSupport",
    "deprivationOfLiberty",
    # PlacementRecommendation
    "fosterCareSuitability",
    "residentialCareSuitability",
    "supportedAccommodationSuitability",
    # Risks
    "riskSelfHarm",
    "riskSexualExploitation",
    "riskCriminalExploitation",
    "riskDrugAlcohol",
    "riskEatingDisorder",
    "riskMissing",
    "riskOther",
    "riskToOthersPhysical",
    "riskToOthersSexual",
    "riskToOthersFire",
    "riskToOthersAnimals",
    "riskToOthersCriminal",
    "riskToOthersOther",
    # ActualPlacement
    "totalWeeklyCost",
    "placementLocation",
    "preferabilityLocation",
    "educationContinuity",
    "providerURN",
    "siblingsPlacedTogether",
    "placementType",
    # QualityAssurance
    "referralOfficerName",
    "referralDate",
    "placementOfficerName",
    "placementDate",
    "costOfficerName",
    "costDate",
)
PORTAL_FIELDS = ("recordType", "portalReference")
COLUMNS = PORTAL_FIELDS + STANDARD_FIELDS

#: ``neededBy`` codes for the portal's urgency (the same scale: the portal took it from there).
NEEDED_BY = {
    Urgency.TODAY.value: "Today",
    Urgency.WITHIN_5_DAYS.value: "in less than 5 days",
    Urgency.OVER_5_DAYS.value: "in more than 5 days",
}


@dataclass(frozen=True)
class Period:
    local_authority_code: str
    sent_from: date | None = None
    sent_to: date | None = None


def _day(moment: datetime | None) -> str:
    return moment.date().isoformat() if moment else ""


def _weekly_pounds(offer: Offer) -> int:
    """The total weekly cost in whole pounds: the core fee and the weekly additional costs."""
    pence = offer.core_fee_pence + sum(
        int(c.get("amountPence", 0))
        for c in offer.additional_costs or []
        if c.get("frequency") == CostFrequency.WEEKLY.value
    )
    return int((Decimal(pence) / 100).quantize(Decimal("1"), rounding=ROUND_HALF_UP))


def _referral_fields(
    registry: CategoryRegistry, referral: Referral, officer: str | None
) -> dict[str, Any]:
    children = referral.children or []
    fields: dict[str, Any] = {
        "neededBy": NEEDED_BY.get(referral.urgency, ""),
        "siblingCount": max(len(children) - 1, 0),
        "preferredLocation": referral.postcode or "",
        "referralOfficerName": officer or "",
        "referralDate": _day(referral.first_sent_at),
    }
    if referral.category in registry:
        mapping = registry.get(referral.category).declaration.placements_standard_details
        details = referral.details or {}
        for standard_field, (prop, codes) in mapping.items():
            value = details.get(prop)
            if value in codes:
                fields[standard_field] = codes[value]
    return fields


def _row(record_type: str, reference: str, fields: dict[str, Any]) -> dict[str, str]:
    row = {"recordType": record_type, "portalReference": reference}
    for name in STANDARD_FIELDS:
        value = fields.get(name, "")
        row[name] = "" if value is None else str(value)
    return row


async def placement_rows(
    session: AsyncSession, registry: CategoryRegistry, period: Period
) -> list[dict[str, str]]:
    """The rows of the LA's referrals first sent in the period, and of their placements."""
    la = await session.scalar(
        select(Organisation).where(Organisation.code == period.local_authority_code.upper())
    )
    if la is None:
        raise NotFound(
            f"No local authority has the code {period.local_authority_code!r}.",
            field=("la",),
        )
    return await rows_of_local_authority(session, registry, la.id, period)


async def rows_of_local_authority(
    session: AsyncSession, registry: CategoryRegistry, la_id: uuid.UUID, period: Period
) -> list[dict[str, str]]:
    if period.sent_from and period.sent_to and period.sent_from > period.sent_to:
        raise InvalidInput("The period ends before it starts.", field=("to",))
    conditions = [Referral.local_authority_id == la_id, Referral.first_sent_at.is_not(None)]
    if period.sent_from:
        conditions.append(Referral.first_sent_at >= datetime.combine(period.sent_from, time(), UTC))
    if period.sent_to:
        end = datetime.combine(period.sent_to + timedelta(days=1), time(), UTC)
        conditions.append(Referral.first_sent_at < end)
    creator = aliased(User)
    referrals = (
        await session.execute(
            select(Referral, creator.name)
            .outerjoin(creator, creator.id == Referral.created_by_id)
            .where(*conditions)
            .order_by(Referral.first_sent_at, Referral.reference)
        )
    ).all()
    decider = aliased(User)
    placements = {
        offer.referral_id: (offer, home, name)
        for offer, home, name in (
            await session.execute(
                select(Offer, Home, decider.name)
                .join(Home, Home.id == Offer.home_id)
                .join(Referral, Referral.id == Offer.referral_id)
                .outerjoin(decider, decider.id == Offer.decided_by_id)
                .where(*conditions, Offer.status == OfferStatus.ACCEPTED.value)
            )
        ).all()
    }
    rows: list[dict[str, str]] = []
    for referral, officer in referrals:
        fields = _referral_fields(registry, referral, officer)
        rows.append(_row("REFERRAL", referral.reference, fields))
        placed = placements.get(referral.id)
        if placed is None:
            continue
        offer, home, placement_officer = placed
        placement_type = (
            registry.get(referral.category).declaration.placements_standard_type
            if referral.category in registry
            else None
        )
        rows.append(
            _row(
                "PLACEMENT",
                referral.reference,
                {
                    **fields,
                    "totalWeeklyCost": _weekly_pounds(offer),
                    "placementLocation": home.local_authority_area or home.postcode,
                    "providerURN": home.ofsted_urn or "",
                    "siblingsPlacedTogether": len(referral.children or []),
                    "placementType": placement_type or "",
                    "placementOfficerName": placement_officer or "",
                    "placementDate": _day(offer.decided_at),
                    "costOfficerName": placement_officer or "",
                    "costDate": _day(offer.decided_at),
                },
            )
        )
    return rows


def as_csv(rows: Iterable[dict[str, str]]) -> str:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(COLUMNS), lineterminator="\r\n")
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue()


def as_json(rows: Sequence[dict[str, str]]) -> str:
    return json.dumps(
        {"standard": "DfE Children's Social Care Placements Data Standard v2", "rows": rows},
        indent=1,
    )

"""The sufficiency figures as the API shows them (``placementStatistics``)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import strawberry

from core import statistics
from schema.enums import CareCategory, DeclineReasonCode
from schema.referrals.types import Urgency


@strawberry.input
class PlacementStatisticsFilter:
    from_: date | None = strawberry.field(default=None, name="from")
    to: date | None = None
    local_authority_id: strawberry.ID | None = None
    provider_id: strawberry.ID | None = None
    category: CareCategory | None = None
    urgency: Urgency | None = None


@strawberry.type
class ReasonCount:
    code: DeclineReasonCode
    referral_declines: int
    offer_declines: int


@strawberry.type
class FeeStatistics:
    category: CareCategory
    age_band: str = strawberry.field(description="0-4, 5-9, 10-15 or 16-17.")
    offers: int
    median_core_fee: Decimal | None
    lower_quartile_core_fee: Decimal | None
    upper_quartile_core_fee: Decimal | None
    median_weekly_total: Decimal | None


@strawberry.type
class WeekCount:
    week_starting: date
    referrals: int


@strawberry.type
class PlacementStatistics:
    referrals_sent: int
    referrals_with_no_match: int = strawberry.field(
        description="Referrals whose sends reached no provider: the plainest sign of a "
        "sufficiency gap."
    )
    median_providers_reached: float | None
    offers_per_referral: float | None
    median_hours_to_first_offer: float | None
    p90_hours_to_first_offer: float | None
    median_hours_to_acceptance: float | None
    acceptance_rate: float | None = strawberry.field(
        description="Accepted offers / referrals sent."
    )
    decline_reasons: list[ReasonCount]
    fees: list[FeeStatistics]
    referrals_per_week: list[WeekCount]

    @classmethod
    def of(cls, figures: statistics.PlacementFigures) -> PlacementStatistics:
        return cls(
            referrals_sent=figures.referrals_sent,
            referrals_with_no_match=figures.referrals_with_no_match,
            median_providers_reached=figures.median_providers_reached,
            offers_per_referral=figures.offers_per_referral,
            median_hours_to_first_offer=figures.median_hours_to_first_offer,
            p90_hours_to_first_offer=figures.p90_hours_to_first_offer,
            median_hours_to_acceptance=figures.median_hours_to_acceptance,
            acceptance_rate=figures.acceptance_rate,
            decline_reasons=[
                ReasonCount(
                    code=DeclineReasonCode(r.code),
                    referral_declines=r.referral_declines,
                    offer_declines=r.offer_declines,
                )
                for r in figures.decline_reasons
            ],
            fees=[
                FeeStatistics(
                    category=CareCategory(f.category),
                    age_band=f.age_band,
                    offers=f.offers,
                    median_core_fee=f.median_core_fee,
                    lower_quartile_core_fee=f.lower_quartile_core_fee,
                    upper_quartile_core_fee=f.upper_quartile_core_fee,
                    median_weekly_total=f.median_weekly_total,
                )
                for f in figures.fees
            ],
            referrals_per_week=[
                WeekCount(week_starting=w.week_starting, referrals=w.referrals)
                for w in figures.referrals_per_week
            ],
        )

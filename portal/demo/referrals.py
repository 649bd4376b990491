"""The referrals and offers part of ``portal demo``: referrals sent in each pilot LA's enabled
categories, and offers in several states (submitted, accepted, declined with a reason).

Made through the services, as the demo people (idempotent: a referral is known by its LA and
summary, an offer by its referral and provider).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from sqlalchemy import select

from core.db import Database
from core.identity.roles import OrganisationKind, Role
from core.identity.viewer import Viewer
from core.models import Home, Offer, Referral, User
from core.offers import service
from core.offers.content import CostInput
from core.plugins.registry import CategoryRegistry, build_registry
from core.referrals import service as referrals
from core.referrals.content import ChildInput
from core.settings import Settings

if TYPE_CHECKING:
    from portal.demo.world import DemoWorld


@dataclass(frozen=True)
class DemoOffer:
    provider_slug: str
    home: str
    core_fee: str
    details: dict[str, Any] = field(default_factory=dict)
    #: None: left SUBMITTED; "ACCEPT"; or a reason the LA declines with.
    decision: str | None = None


@dataclass(frozen=True)
class DemoReferral:
    la_code: str
    category: str
    children: tuple[tuple[int, str, str], ...]
    summary: str
    urgency: str
    offers: tuple[DemoOffer, ...] = ()


_KHAN = {
    "label": "The Khan family",
    "carers": [{"name": "Amira Khan", "approvedOn": "2019-05-14"}, {"name": "Tariq Khan"}],
    "bedrooms": 2,
    "otherChildrenInHousehold": 1,
    "languages": ["English", "Urdu"],
}

REFERRALS = (
    DemoReferral(
        "BIR",
        "RESIDENTIAL",
        ((14, "FEMALE", "Needs a calm home near her school; history of missing episodes."),),
        "[demo] 14-year-old girl needs a residential home in south Birmingham.",
        "WITHIN_5_DAYS",
        (
            DemoOffer(
                "acorn",
                "Elm Lodge",
                "4650.00",
                {"staffingRatio": "2:1", "education": "Stays at her current school."},
                "ACCEPT",
            ),
        ),
    ),
    DemoReferral(
        "BIR",
        "SUPPORTED_ACCOMMODATION",
        ((16, "MALE", "Preparing for independence; attends college three days a week."),),
        "[demo] 16-year-old young man needs supported accommodation near his college.",
        "OVER_5_DAYS",
        (
            DemoOffer(
                "acorn",
                "Acorn Flats",
                "1250.00",
                {"accommodationType": "SOLE_OCCUPANCY", "supportHoursPerWeek": 10},
            ),
            DemoOffer(
                "dove",
                "Dove Court",
                "1100.00",
                {"accommodationType": "SHARED", "supportHoursPerWeek": 6},
                "He needs to stay within reach of his Birmingham college.",
            ),
        ),
    ),
    DemoReferral(
        "COV",
        "FOSTERING",
        ((7, "MALE", "Settled at primary school; enjoys football."),),
        "[demo] 7-year-old boy needs a long-term foster home in Coventry.",
        "OVER_5_DAYS",
        (DemoOffer("brightway", "The Khan family", "950.00", {"family": _KHAN}),),
    ),
    DemoReferral(
        "STK",
        "RESIDENTIAL",
        ((13, "MALE", "Needs a small home with consistent staff."),),
        "[demo] 13-year-old boy needs a small residential home.",
        "TODAY",
        (
            # Accepting Cedar's offer declines Acorn's, with the reason Acorn reads.
            DemoOffer("acorn", "Oak House", "4800.00", {"staffingRatio": "2:1"}),
            DemoOffer("cedar", "Cedar View", "5200.00", {"staffingRatio": "1:1"}, "ACCEPT"),
        ),
    ),
    DemoReferral(
        "STK",
        "SUPPORTED_ACCOMMODATION",
        ((17, "FEMALE", "Leaving care next year; working part-time."),),
        "[demo] 17-year-old young woman needs supported accommodation in Stoke.",
        "WITHIN_5_DAYS",
        (
            DemoOffer(
                "dove",
                "Dove Mews",
                "1150.00",
                {"accommodationType": "SHARED", "supportHoursPerWeek": 8},
            ),
        ),
    ),
    DemoReferral(
        "STK",
        "FOSTERING",
        ((4, "FEMALE", "Needs a home that keeps contact with her grandmother."),),
        "[demo] 4-year-old girl needs a short-term foster home.",
        "WITHIN_5_DAYS",
    ),
)


async def _viewer(
    db: Database, world: DemoWorld, email: str, kind: OrganisationKind, roles: tuple[Role, ...]
) -> Viewer:
    user_id = world.users[email]
    async with db.session() as session:
        organisation_id = await session.scalar(
            select(User.organisation_id).where(User.id == user_id)
        )
    assert organisation_id is not None
    return Viewer(
        organisation_id=organisation_id,
        organisation_kind=kind,
        roles=frozenset(roles),
        user_id=user_id,
    )


async def load_referrals_and_offers(
    db: Database, settings: Settings, world: DemoWorld, registry: CategoryRegistry | None = None
) -> None:
    registry = registry or build_registry()
    for spec in REFERRALS:
        la = await _viewer(
            db,
            world,
            f"{spec.la_code.lower()}.caseworker@demo.example",
            OrganisationKind.LOCAL_AUTHORITY,
            (Role.LA_CASEWORKER,),
        )
        async with db.session() as session:
            referral = await session.scalar(
                select(Referral).where(
                    Referral.local_authority_id == la.organisation_id,
                    Referral.summary == spec.summary,
                )
            )
        if referral is None:
            referral = await referrals.create_referral(
                db,
                registry,
                la,
                category=spec.category,
                children=[ChildInput(age, gender, needs) for age, gender, needs in spec.children],
                summary=spec.summary,
                urgency=spec.urgency,
                postcode=None,
                required_from=date.today() + timedelta(days=7),
                details={},
            )
            await referrals.send_referral(db, registry, settings, la, referral_id=referral.id)
        for offer in spec.offers:
            await _offer(db, registry, settings, world, la, referral.id, offer)


async def _offer(
    db: Database,
    registry: CategoryRegistry,
    settings: Settings,
    world: DemoWorld,
    la: Viewer,
    referral_id: uuid.UUID,
    spec: DemoOffer,
) -> None:
    provider = await _viewer(
        db,
        world,
        f"{spec.provider_slug}.admin@demo.example",
        OrganisationKind.PROVIDER,
        (Role.PROVIDER_ADMIN, Role.PROVIDER_USER),
    )
    async with db.session() as session:
        existing = await session.scalar(
            select(Offer.id).where(
                Offer.referral_id == referral_id, Offer.provider_id == provider.organisation_id
            )
        )
        home_id = await session.scalar(
            select(Home.id).where(
                Home.provider_id == provider.organisation_id,
                Home.name == spec.home,
                Home.retired_at.is_(None),
            )
        )
    if existing is not None or home_id is None:
        return
    offer = await service.submit_offer(
        db,
        registry,
        settings,
        provider,
        referral_id=referral_id,
        home_id=home_id,
        core_fee=Decimal(spec.core_fee),
        additional_costs=[CostInput("Transport to school or college", Decimal("45.00"), "WEEKLY")],
        start_date=date.today() + timedelta(days=7),
        details=spec.details,
    )
    if spec.decision == "ACCEPT":
        await service.accept_offer(db, settings, la, offer_id=offer.id)
    elif spec.decision:
        await service.decline_offer(db, settings, la, offer_id=offer.id, reason=spec.decision)

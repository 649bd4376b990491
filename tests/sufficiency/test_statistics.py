"""placementStatistics against figures computed by hand for a seeded history (contract 13).

The history (times UTC; fees a week; "+" a weekly additional cost):

Stoke (STK)
  A1 RESIDENTIAL TODAY, age 14, sent Mon 2 Nov 09:00 to P1, P2, P3
     P1 offers 11:00 at 1000 + 100 -> accepted 15:00; P2 offers 13:00 at 1200 -> declined
     because P1's was accepted (not an LA reason: left out); P3 declines NO_VACANCY
  A2 RESIDENTIAL WITHIN_5_DAYS, age 7, sent Tue 3 Nov 09:00 to P1, P2
     P2 offers 19:00 at 800 -> declined COST; P1 declines LOCATION
  A3 RESIDENTIAL OVER_5_DAYS, age 16, sent Tue 10 Nov 09:00: reached no provider
  A4 FOSTERING TODAY, age 15, sent Wed 11 Nov 09:00 to P1
     P1 offers 10:00 at 600 + 50 (and a one-off 500, not weekly)
  a draft, never sent
Coventry (COV)
  B1 RESIDENTIAL WITHIN_5_DAYS, age 14, sent Wed 4 Nov 09:00 to P1, P3
     P3 offers 17:00 at 1500 -> accepted Thu 5 Nov 09:00
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

import pytest

from core.models import Offer, Referral, ReferralDelivery
from core.offers.kinds import ANOTHER_OFFER_ACCEPTED
from schema.node import encode_id
from tests.people import People
from tests.referrals.homes import HomeSpec, Provider, provider_with_homes

STATISTICS = """
query ($filter: PlacementStatisticsFilter) {
  placementStatistics(filter: $filter) {
    referralsSent referralsWithNoMatch medianProvidersReached offersPerReferral
    medianHoursToFirstOffer p90HoursToFirstOffer medianHoursToAcceptance acceptanceRate
    declineReasons { code referralDeclines offerDeclines }
    fees { category ageBand offers medianCoreFee lowerQuartileCoreFee upperQuartileCoreFee
           medianWeeklyTotal }
    referralsPerWeek { weekStarting referrals }
  }
}"""


def _at(day: int, hour: int) -> datetime:
    return datetime(2026, 11, day, hour, tzinfo=UTC)


class History:
    def __init__(self, people: People) -> None:
        self.people = people
        self.count = 0

    async def referral(
        self, la: uuid.UUID, category: str, urgency: str, age: int, sent: datetime | None
    ) -> uuid.UUID:
        self.count += 1
        async with self.people.db.transaction() as session:
            referral = Referral(
                id=uuid.uuid4(),
                local_authority_id=la,
                reference=f"HIS-2026-{self.count:06d}",
                category=category,
                status="SENT" if sent else "DRAFT",
                urgency=urgency,
                version=1,
                children=[{"age": age, "gender": "FEMALE"}],
                summary="A seeded referral.",
                details={},
                created_at=sent or _at(1, 9),
                updated_at=sent or _at(1, 9),
                sent_at=sent,
                first_sent_at=sent,
            )
            session.add(referral)
        return referral.id

    async def deliver(
        self, referral: uuid.UUID, provider: Provider, at: datetime, code: str | None = None
    ) -> None:
        async with self.people.db.transaction() as session:
            session.add(
                ReferralDelivery(
                    referral_id=referral,
                    provider_id=provider.organisation_id,
                    status="DECLINED" if code else "NEW",
                    version=1,
                    delivered_at=at,
                    declined_at=at if code else None,
                    decline_reason="Seeded." if code else None,
                    decline_reason_code=code,
                )
            )

    async def offer(
        self,
        referral: uuid.UUID,
        provider: Provider,
        at: datetime,
        fee: int,
        *,
        weekly: int = 0,
        one_off: int = 0,
        status: str = "SUBMITTED",
        decided: datetime | None = None,
        reason: str | None = None,
        code: str | None = None,
    ) -> None:
        costs = []
        if weekly:
            costs.append(
                {"description": "Support", "amountPence": weekly * 100, "frequency": "WEEKLY"}
            )
        if one_off:
            costs.append(
                {"description": "Set-up", "amountPence": one_off * 100, "frequency": "ONE_OFF"}
            )
        async with self.people.db.transaction() as session:
            session.add(
                Offer(
                    referral_id=referral,
                    provider_id=provider.organisation_id,
                    home_id=provider.home_ids[0],
                    status=status,
                    core_fee_pence=fee * 100,
                    additional_costs=costs,
                    submitted_at=at,
                    updated_at=at,
                    decided_at=decided,
                    decline_reason=reason,
                    decline_reason_code=code,
                )
            )


@pytest.fixture
async def history(people: People):
    stoke = await people.local_authority("Stoke-on-Trent", "STK", ("RESIDENTIAL", "FOSTERING"))
    coventry = await people.local_authority("Coventry", "COV", ("RESIDENTIAL",))
    p1, p2, p3 = [await provider_with_homes(people, HomeSpec()) for _ in range(3)]
    h = History(people)
    a1 = await h.referral(stoke, "RESIDENTIAL", "TODAY", 14, _at(2, 9))
    for provider in (p1, p2):
        await h.deliver(a1, provider, _at(2, 9))
    await h.deliver(a1, p3, _at(2, 9), "NO_VACANCY")
    await h.offer(a1, p1, _at(2, 11), 1000, weekly=100, status="ACCEPTED", decided=_at(2, 15))
    await h.offer(
        a1,
        p2,
        _at(2, 13),
        1200,
        status="DECLINED",
        decided=_at(2, 15),
        reason=ANOTHER_OFFER_ACCEPTED,
        code="OTHER",
    )
    a2 = await h.referral(stoke, "RESIDENTIAL", "WITHIN_5_DAYS", 7, _at(3, 9))
    await h.deliver(a2, p2, _at(3, 9))
    await h.deliver(a2, p1, _at(3, 9), "LOCATION")
    await h.offer(
        a2,
        p2,
        _at(3, 19),
        800,
        status="DECLINED",
        decided=_at(4, 9),
        reason="Too dear",
        code="COST",
    )
    await h.referral(stoke, "RESIDENTIAL", "OVER_5_DAYS", 16, _at(10, 9))
    a4 = await h.referral(stoke, "FOSTERING", "TODAY", 15, _at(11, 9))
    await h.deliver(a4, p1, _at(11, 9))
    await h.offer(a4, p1, _at(11, 10), 600, weekly=50, one_off=500)
    await h.referral(stoke, "RESIDENTIAL", "TODAY", 10, None)
    b1 = await h.referral(coventry, "RESIDENTIAL", "WITHIN_5_DAYS", 14, _at(4, 9))
    await h.deliver(b1, p1, _at(4, 9))
    await h.deliver(b1, p3, _at(4, 9))
    await h.offer(b1, p3, _at(4, 17), 1500, status="ACCEPTED", decided=_at(5, 9))
    return {"stoke": stoke, "coventry": coventry, "p1": p1, "p2": p2, "p3": p3}


def _reasons(**counts: tuple[int, int]) -> list[dict]:
    codes = (
        "NO_VACANCY",
        "CANNOT_MEET_NEEDS",
        "LOCATION",
        "MATCHING_WITH_OTHER_CHILDREN",
        "RISK",
        "COST",
        "OTHER",
    )
    return [
        {
            "code": c,
            "referralDeclines": counts.get(c, (0, 0))[0],
            "offerDeclines": counts.get(c, (0, 0))[1],
        }
        for c in codes
    ]


def _fee(category, band, offers, median, lower, upper, total) -> dict:
    return {
        "category": category,
        "ageBand": band,
        "offers": offers,
        "medianCoreFee": median,
        "lowerQuartileCoreFee": lower,
        "upperQuartileCoreFee": upper,
        "medianWeeklyTotal": total,
    }


async def _figures(client, person, **filter) -> dict:
    return (await client.data(STATISTICS, {"filter": filter or None}, token=person.token))[
        "placementStatistics"
    ]


async def test_an_la_sees_its_own_figures(people: People, client, history) -> None:
    caseworker = await people.caseworker(history["stoke"])
    figures = await _figures(client, caseworker)
    assert figures == {
        "referralsSent": 4,
        "referralsWithNoMatch": 1,
        "medianProvidersReached": 1.5,
        "offersPerReferral": 1.0,
        "medianHoursToFirstOffer": 2.0,
        "p90HoursToFirstOffer": 8.4,
        "medianHoursToAcceptance": 6.0,
        "acceptanceRate": 0.25,
        "declineReasons": _reasons(NO_VACANCY=(1, 0), LOCATION=(1, 0), COST=(0, 1)),
        "fees": [
            _fee("FOSTERING", "10-15", 1, "600.00", "600.00", "600.00", "650.00"),
            _fee("RESIDENTIAL", "5-9", 1, "800.00", "800.00", "800.00", "800.00"),
            _fee("RESIDENTIAL", "10-15", 2, "1100.00", "1050.00", "1150.00", "1150.00"),
        ],
        "referralsPerWeek": [
            {"weekStarting": "2026-11-02", "referrals": 2},
            {"weekStarting": "2026-11-09", "referrals": 2},
        ],
    }


async def test_a_platform_admin_sees_the_region(people: People, client, history) -> None:
    admin = await people.platform_admin()
    figures = await _figures(client, admin)
    assert figures["referralsSent"] == 5
    assert figures["referralsWithNoMatch"] == 1
    assert figures["medianProvidersReached"] == 2.0
    assert figures["offersPerReferral"] == 1.0
    assert figures["medianHoursToFirstOffer"] == 5.0
    assert figures["p90HoursToFirstOffer"] == 9.4
    assert figures["medianHoursToAcceptance"] == 15.0
    assert figures["acceptanceRate"] == 0.4
    assert figures["fees"][2] == _fee(
        "RESIDENTIAL", "10-15", 3, "1200.00", "1100.00", "1350.00", "1200.00"
    )
    assert figures["referralsPerWeek"] == [
        {"weekStarting": "2026-11-02", "referrals": 3},
        {"weekStarting": "2026-11-09", "referrals": 2},
    ]


async def test_a_platform_admin_sees_any_la(people: People, client, history) -> None:
    admin = await people.platform_admin()
    figures = await _figures(
        client, admin, localAuthorityId=encode_id("Organisation", history["coventry"])
    )
    assert (figures["referralsSent"], figures["medianHoursToAcceptance"]) == (1, 24.0)


async def test_a_provider_sees_its_own_response_figures(people: People, client, history) -> None:
    p1 = history["p1"]
    figures = await _figures(client, p1.admin, providerId=p1.id)
    assert figures == {
        "referralsSent": 4,
        "referralsWithNoMatch": 0,
        "medianProvidersReached": 1.0,
        "offersPerReferral": 0.5,
        "medianHoursToFirstOffer": 1.5,
        "p90HoursToFirstOffer": 1.9,
        "medianHoursToAcceptance": 6.0,
        "acceptanceRate": 0.25,
        "declineReasons": _reasons(LOCATION=(1, 0)),
        "fees": [
            _fee("FOSTERING", "10-15", 1, "600.00", "600.00", "600.00", "650.00"),
            _fee("RESIDENTIAL", "10-15", 1, "1000.00", "1000.00", "1000.00", "1100.00"),
        ],
        "referralsPerWeek": [
            {"weekStarting": "2026-11-02", "referrals": 3},
            {"weekStarting": "2026-11-09", "referrals": 1},
        ],
    }


async def test_a_provider_compares_with_the_regions_median(people: People, client, history) -> None:
    p1 = history["p1"]
    region = await _figures(client, p1.admin)
    assert (region["referralsSent"], region["medianHoursToFirstOffer"]) == (5, 5.0)


async def test_filters_narrow_the_referrals(people: People, client, history) -> None:
    caseworker = await people.caseworker(history["stoke"])
    residential = await _figures(client, caseworker, category="RESIDENTIAL")
    later = await _figures(client, caseworker, **{"from": "2026-11-09", "to": "2026-11-30"})
    today = await _figures(client, caseworker, urgency="TODAY")
    assert residential["referralsSent"] == 3
    assert later["referralsSent"] == 2 and later["referralsWithNoMatch"] == 1
    assert today["referralsSent"] == 2


async def test_an_la_cannot_see_another_las_figures(people: People, client, history) -> None:
    caseworker = await people.caseworker(history["stoke"])
    result = await client.execute(
        STATISTICS,
        {"filter": {"localAuthorityId": encode_id("Organisation", history["coventry"])}},
        token=caseworker.token,
    )
    assert result["data"] is None
    assert result["errors"][0]["extensions"]["code"] == "FORBIDDEN"


async def test_a_provider_cannot_see_another_providers_figures(
    people: People, client, history
) -> None:
    result = await client.execute(
        STATISTICS, {"filter": {"providerId": history["p2"].id}}, token=history["p1"].admin.token
    )
    assert result["errors"][0]["extensions"]["code"] == "FORBIDDEN"


async def test_no_referrals_give_zero_counts_and_no_medians(people: People, client) -> None:
    la = await people.local_authority("Walsall", "WAL", ("RESIDENTIAL",))
    figures = await _figures(client, await people.caseworker(la))
    assert figures["referralsSent"] == 0
    assert figures["medianProvidersReached"] is None
    assert figures["acceptanceRate"] is None
    assert figures["fees"] == [] and figures["referralsPerWeek"] == []

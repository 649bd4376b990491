"""``portal demo``: referrals in each pilot LA's categories, and offers in several states."""

from __future__ import annotations

from sqlalchemy import select

from core.models import Offer, Organisation, Referral
from core.settings import Settings
from portal.demo import PILOT_LAS, load_demo


async def _state(db) -> tuple[set[tuple[str, str, str]], list[tuple[str, str | None]]]:
    async with db.session() as session:
        referrals = {
            (code, category, status)
            for code, category, status in await session.execute(
                select(Organisation.code, Referral.category, Referral.status).join(
                    Organisation, Organisation.id == Referral.local_authority_id
                )
            )
        }
        offers = sorted(
            (status, reason)
            for status, reason in await session.execute(select(Offer.status, Offer.decline_reason))
        )
    return referrals, offers


async def test_the_demo_has_referrals_in_every_enabled_category_and_offers_in_several_states(
    settings: Settings, db
) -> None:
    # when
    await load_demo(settings)
    first = await _state(db)
    await load_demo(settings)  # idempotent
    # then
    assert await _state(db) == first
    referrals, offers = first
    assert {(code, category) for code, category, _ in referrals} == {
        (code, category) for _, code, categories in PILOT_LAS for category in categories
    }
    assert {status for *_, status in referrals} == {"SENT", "PLACED"}
    assert {status for status, _ in offers} == {"SUBMITTED", "ACCEPTED", "DECLINED"}
    assert all(reason for status, reason in offers if status == "DECLINED")
    assert len([s for s, _ in offers if s == "DECLINED"]) == 2

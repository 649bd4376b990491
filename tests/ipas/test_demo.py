"""``load_ipa_demo``: a signed IPA and one awaiting signature from two accepted offers."""

from __future__ import annotations

from sqlalchemy import func, select

from core.models import Ipa, IpaSignature
from portal.demo.ipas import load_ipa_demo
from tests.ipas.given import Scene
from tests.ipas.operations import IPAS


async def test_the_demo_makes_a_signed_ipa_and_one_awaiting_signature(
    ipa_scene: Scene, db, registry
) -> None:
    # given
    s = ipa_scene
    signed_offer, awaiting_offer = await s.offer(), await s.offer()
    # when
    for _ in range(2):  # idempotent
        async with db.transaction() as session:
            await load_ipa_demo(
                session,
                signed_offer_id=signed_offer,
                awaiting_offer_id=awaiting_offer,
                registry=registry,
            )
    # then
    async with db.session() as session:
        assert await session.scalar(select(func.count()).select_from(Ipa)) == 2
        assert await session.scalar(select(func.count()).select_from(IpaSignature)) == 2
    listed = {
        i["status"]: i for i in (await s.client.data(IPAS, token=s.la_signatory.token))["ipas"]
    }
    assert set(listed) == {"SIGNED", "READY_FOR_SIGNING"}
    signed = listed["SIGNED"]
    assert {g["party"] for g in signed["signatures"]} == {"LOCAL_AUTHORITY", "PROVIDER"}
    assert all(g["contentHash"] == signed["contentHash"] for g in signed["signatures"])
    assert listed["READY_FOR_SIGNING"]["signatures"] == []
    assert signed["terms"]["socialWorker"]["name"] == "Sam Social Worker"
    assert signed["terms"]["placementStartDate"] == "2026-12-07"


async def test_portal_demo_makes_a_signed_ipa_and_one_awaiting_signature(settings, db) -> None:
    from sqlalchemy import select

    from core.models import Ipa
    from portal.demo import load_demo

    # when the demo is loaded twice
    await load_demo(settings)
    await load_demo(settings)
    # then there is one signed IPA and one ready for signing
    async with db.session() as session:
        statuses = sorted(await session.scalars(select(Ipa.status)))
    assert statuses == ["READY_FOR_SIGNING", "SIGNED"]

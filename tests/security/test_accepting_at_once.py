"""Finding 12: two offers of one referral accepted at once (PostgreSQL, two real connections):
one is accepted, the other refused, never a deadlock. Rows are locked in one fixed order."""

from __future__ import annotations

import asyncio
import time

import pytest
from sqlalchemy import text

from core.identity.roles import Role
from schema.node import decode_any_id
from tests.offers.helpers import ACCEPT, ready_provider, sent_referral, submitted
from tests.people import People
from tests.referrals.conftest import la  # noqa: F401  (the fixture)


async def _blocked(db) -> int:
    async with db.engine.connect() as connection:
        return int(
            await connection.scalar(
                text(
                    "SELECT count(*) FROM pg_stat_activity "
                    "WHERE datname = current_database() AND wait_event_type = 'Lock'"
                )
            )
        )


def _key(global_id: str):  # type: ignore[no-untyped-def]
    decoded = decode_any_id(global_id)
    assert decoded is not None
    return decoded[1]


@pytest.mark.postgres_only
@pytest.mark.parametrize("round_", range(3))
async def test_two_offers_accepted_at_once_give_one_acceptance_and_no_deadlock(
    people: People,
    la,  # noqa: F811
    client,
    db,
    round_: int,
) -> None:
    # given two offers on one referral, and two caseworkers of the LA
    first, second = await ready_provider(people), await ready_provider(people)
    referral = await sent_referral(client, la)
    offers = [await submitted(client, referral, p) for p in (first, second)]
    colleague = await people.signed_in(la.id, Role.LA_CASEWORKER)
    # when both accept at once: a third connection holds the referral's offers until both wait
    async with db.engine.connect() as blocker:
        transaction = await blocker.begin()
        await blocker.execute(
            text(
                "SELECT id FROM offers WHERE referral_id = (SELECT referral_id FROM offers "
                "WHERE id = :id) FOR UPDATE"
            ),
            {"id": _key(offers[0]["id"])},
        )
        calls = [
            asyncio.ensure_future(client.execute(ACCEPT, {"id": o["id"]}, token=person.token))
            for o, person in zip(offers, (la.caseworker, colleague), strict=True)
        ]
        deadline = time.monotonic() + 20
        while await _blocked(db) < 2:
            assert time.monotonic() < deadline, "the acceptances never reached the database"
            await asyncio.sleep(0.01)
        await transaction.rollback()
        bodies = await asyncio.gather(*calls)
    # then
    assert all("errors" not in body for body in bodies), bodies
    results = [body["data"]["acceptOffer"] for body in bodies]
    assert sorted(bool(r["offer"]) and not r["userErrors"] for r in results) == [False, True]
    [refused] = [r for r in results if r["userErrors"]]
    assert [e["code"] for e in refused["userErrors"]] == ["INVALID_STATE"]

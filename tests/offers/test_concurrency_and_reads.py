"""One live offer per provider holds when two people submit at the same moment; reading a
referral's offers costs the same statements for 2 offers as for 8."""

from __future__ import annotations

import asyncio
import time

import pytest
from sqlalchemy import func, select, text

from core.identity.roles import Role
from core.models import Offer
from core.querycount import count_queries
from tests.offers.helpers import SUBMIT, offer_input, ready_provider, sent_referral, submitted
from tests.people import People

OFFERS = """
query ($id: ID!) {
  node(id: $id) { ... on Referral { offers { id status coreFee home { name provider { name } }
                                            provider { name } documents { name kind } } } }
}"""


async def _blocked_backends(db) -> int:
    async with db.engine.connect() as connection:
        return int(
            await connection.scalar(
                text(
                    "SELECT count(*) FROM pg_stat_activity "
                    "WHERE datname = current_database() AND wait_event_type = 'Lock'"
                )
            )
        )


async def _until_blocked(db, count: int) -> None:
    deadline = time.monotonic() + 20
    while await _blocked_backends(db) < count:
        assert time.monotonic() < deadline, "the submissions never reached the database"
        await asyncio.sleep(0.01)


@pytest.mark.postgres_only
async def test_two_people_of_one_provider_submitting_at_once_get_one_offer_and_one_conflict(
    people: People, la, client, db
) -> None:
    # given two people of one provider and a referral it received
    provider = await ready_provider(people)
    colleague = await people.signed_in(provider.organisation_id, Role.PROVIDER_USER)
    referral = await sent_referral(client, la)
    variables = offer_input(referral, provider)
    # when both submit at once: a third connection holds the home's row, so both
    # submissions pass every check and wait together at their INSERT (its foreign key to
    # the home) until it lets go; neither can see the other's offer before inserting its own
    async with db.engine.connect() as blocker:
        transaction = await blocker.begin()
        await blocker.execute(
            text("SELECT id FROM homes WHERE id = :id FOR UPDATE"), {"id": provider.home_ids[0]}
        )
        calls = [
            asyncio.ensure_future(client.execute(SUBMIT, variables, token=person.token))
            for person in (provider.admin, colleague)
        ]
        await _until_blocked(db, 2)
        await transaction.rollback()
        bodies = await asyncio.gather(*calls)
    # then one offer, and one CONFLICT
    results = [body["data"]["submitOffer"] for body in bodies]
    assert sorted(bool(r["offer"]) for r in results) == [False, True]
    [refused] = [r for r in results if not r["offer"]]
    assert [e["code"] for e in refused["userErrors"]] == ["CONFLICT"]
    assert "just made it" in refused["userErrors"][0]["message"]  # the unique index said so
    async with db.session() as session:
        assert await session.scalar(select(func.count()).select_from(Offer)) == 1


async def _statements(client, token: str, referral: str) -> tuple[int, int]:
    with count_queries() as counter:
        data = await client.data(OFFERS, {"id": referral}, token=token)
    return counter.count, len(data["node"]["offers"])


async def test_a_referrals_offers_cost_the_same_statements_for_2_and_8_offers(
    people: People, la, client
) -> None:
    # given one referral with offers from 2 providers, another with offers from 8
    providers = [await ready_provider(people) for _ in range(8)]
    few = await sent_referral(client, la)
    many = await sent_referral(client, la)
    for provider in providers[:2]:
        await submitted(client, few, provider)
    for provider in providers:
        await submitted(client, many, provider)
    # when
    few_count, few_offers = await _statements(client, la.caseworker.token, few)
    many_count, many_offers = await _statements(client, la.caseworker.token, many)
    # then
    assert (few_offers, many_offers) == (2, 8)
    assert few_count == many_count

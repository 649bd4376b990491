"""Reading referrals: a connection paged in SQL, without N+1."""

from sqlalchemy import event
from sqlalchemy.pool import Pool

from core.querycount import count_queries
from tests.people import People
from tests.referrals.homes import HomeSpec, provider_with_homes
from tests.referrals.operations import CREATE, REFERRALS, SEND, referral_input

LIST = """
query ($first: Int) {
  referrals(first: $first) {
    totalCount
    edges { node { id reference localAuthority { name } children { age } documents { name }
                   deliveries { version provider { name } matchedHomes { name provider { name } } }
                   myDelivery { status provider { name } matchedHomes { name } }
                   offers { id home { name } documents { name } } } }
  }
}"""


async def _referrals(client, la, n: int, send: bool = True) -> list[str]:
    ids = []
    for _ in range(n):
        created = (await client.data(CREATE, referral_input(), token=la.caseworker.token))[
            "createReferral"
        ]["referral"]
        if send:
            await client.data(SEND, {"id": created["id"]}, token=la.caseworker.token)
        ids.append(created["id"])
    return ids


async def test_referrals_come_newest_first_in_pages(la, client) -> None:
    ids = await _referrals(client, la, 3, send=False)
    first = await client.data(REFERRALS, {"first": 2}, token=la.caseworker.token)
    second = await client.data(
        REFERRALS,
        {"first": 2, "after": first["referrals"]["pageInfo"]["endCursor"]},
        token=la.caseworker.token,
    )
    assert first["referrals"]["totalCount"] == 3
    assert [e["node"]["id"] for e in first["referrals"]["edges"]] == ids[::-1][:2]
    assert first["referrals"]["pageInfo"]["hasNextPage"] is True
    assert [e["node"]["id"] for e in second["referrals"]["edges"]] == ids[::-1][2:]
    assert second["referrals"]["pageInfo"]["hasNextPage"] is False


async def test_referrals_filter_by_status(la, client) -> None:
    await _referrals(client, la, 1, send=False)
    await _referrals(client, la, 2, send=True)
    data = await client.data(REFERRALS, {"status": "SENT"}, token=la.caseworker.token)
    assert data["referrals"]["totalCount"] == 2


async def test_signatory_only_users_and_nobody_see_no_referrals(people: People, la, client) -> None:
    from core.identity.roles import Role

    await _referrals(client, la, 1, send=False)
    signatory = await people.signed_in(la.id, Role.LA_SIGNATORY)
    assert (await client.data(REFERRALS, {}, token=signatory.token))["referrals"]["totalCount"] == 0
    assert (await client.data(REFERRALS, {}))["referrals"]["totalCount"] == 0


async def _statements(client, token: str, first: int) -> int:
    with count_queries() as counter:
        await client.data(LIST, {"first": first}, token=token)
    return counter.count


async def test_the_la_list_costs_the_same_statements_for_5_and_50_referrals(
    people: People, la, client
) -> None:
    await provider_with_homes(people, HomeSpec())
    await provider_with_homes(people, HomeSpec())
    await _referrals(client, la, 50)
    assert await _statements(client, la.caseworker.token, 5) == await _statements(
        client, la.caseworker.token, 50
    )


async def test_the_provider_list_costs_the_same_statements_for_5_and_50_referrals(
    people: People, la, client
) -> None:
    provider = await provider_with_homes(people, HomeSpec())
    await _referrals(client, la, 50)
    assert await _statements(client, provider.admin.token, 5) == await _statements(
        client, provider.admin.token, 50
    )


async def test_a_cursor_that_is_not_one_of_ours_gets_a_clear_error(la, client) -> None:
    body = await client.execute(REFERRALS, {"after": "not-a-cursor"}, token=la.caseworker.token)
    assert "is not a cursor of this list" in body["errors"][0]["message"]


async def test_the_list_counts_only_when_total_count_is_asked_for(la, client) -> None:
    await _referrals(client, la, 3)
    with_total = "{ referrals(first: 2) { totalCount edges { node { id } } } }"
    without = "{ referrals(first: 2) { edges { node { id } } } }"
    with count_queries() as counted:
        data = await client.data(with_total, token=la.caseworker.token)
    with count_queries() as uncounted:
        await client.data(without, token=la.caseworker.token)
    assert data["referrals"]["totalCount"] == 3
    assert counted.count == uncounted.count + 1


async def test_a_list_request_authenticates_pages_and_counts_through_one_connection(
    la, client
) -> None:
    await _referrals(client, la, 2)
    checkouts: list[object] = []

    def checked_out(*_: object) -> None:
        checkouts.append(1)

    event.listen(Pool, "checkout", checked_out)  # every pool: only the request runs now
    try:
        data = await client.data(
            "{ referrals(first: 5) { totalCount edges { node { id reference } } } }",
            token=la.caseworker.token,
        )
    finally:
        event.remove(Pool, "checkout", checked_out)
    assert data["referrals"]["totalCount"] == 2
    assert len(data["referrals"]["edges"]) == 2
    assert len(checkouts) == 1

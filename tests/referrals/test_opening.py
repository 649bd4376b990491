"""A referral delivered to a provider is "New" to the whole organisation until someone of its
staff opens it (``myDelivery.openedAt``): fetching it by ``node`` is opening it; its list is
not, nor is anyone else's reading of it."""

from __future__ import annotations

from core.identity.roles import Role
from tests.graphql_client import GraphQLClient
from tests.offers.helpers import pilot_la, ready_provider, sent_referral
from tests.people import People, Person
from tests.referrals.homes import HomeSpec, Provider
from tests.referrals.operations import SEND, UPDATE

OPEN = """
query ($id: ID!) { node(id: $id) { ... on Referral { id myDelivery { openedAt } } } }
"""
LIST = """query { referrals(first: 50) { edges { node { id myDelivery { openedAt } } } } }"""
LA_READS = """
query ($id: ID!) {
  node(id: $id) { ... on Referral { id myDelivery { openedAt } deliveries { provider { id } openedAt } } }
}"""


async def _opened_at(client: GraphQLClient, person: Person, referral: str) -> str | None:
    """What ``person``'s list says of the referral (the list alone opens nothing)."""
    edges = (await client.data(LIST, token=person.token))["referrals"]["edges"]
    (row,) = [e["node"] for e in edges if e["node"]["id"] == referral]
    return row["myDelivery"]["openedAt"]


async def _open(client: GraphQLClient, person: Person, referral: str) -> dict:
    return (await client.data(OPEN, {"id": referral}, token=person.token))["node"]


async def _delivered(people: People, client: GraphQLClient) -> tuple[object, Provider, str]:
    la = await pilot_la(people)
    provider = await ready_provider(people, HomeSpec(), name="Rowan Homes")
    return la, provider, await sent_referral(client, la)


async def test_a_colleague_opening_it_opens_it_for_the_whole_organisation(
    people: People, client: GraphQLClient
) -> None:
    # given a referral delivered to a provider, new to its admin
    _, provider, referral = await _delivered(people, client)
    assert await _opened_at(client, provider.admin, referral) is None
    # when a colleague opens it
    colleague = await people.signed_in(provider.organisation_id, Role.PROVIDER_USER)
    opened = (await _open(client, colleague, referral))["myDelivery"]["openedAt"]
    # then it is no longer new to the admin either: opened when the colleague opened it
    assert opened is not None
    assert await _opened_at(client, provider.admin, referral) == opened


async def test_opening_it_again_keeps_when_it_was_first_opened(
    people: People, client: GraphQLClient
) -> None:
    # given a referral the provider's admin opened
    _, provider, referral = await _delivered(people, client)
    first = (await _open(client, provider.admin, referral))["myDelivery"]["openedAt"]
    # when a colleague opens it later
    colleague = await people.signed_in(provider.organisation_id, Role.PROVIDER_USER)
    again = (await _open(client, colleague, referral))["myDelivery"]["openedAt"]
    # then the first opening stands
    assert again == first


async def test_listing_referrals_does_not_open_them(people: People, client: GraphQLClient) -> None:
    # given a referral delivered to a provider
    _, provider, referral = await _delivered(people, client)
    # when its staff list their referrals, twice
    await _opened_at(client, provider.admin, referral)
    # then it is still new
    assert await _opened_at(client, provider.admin, referral) is None


async def test_another_provider_opening_it_does_not_open_it_for_this_one(
    people: People, client: GraphQLClient
) -> None:
    # given a referral delivered to two providers
    la = await pilot_la(people)
    mine = await ready_provider(people, HomeSpec(), name="Mine")
    other = await ready_provider(people, HomeSpec(), name="Other")
    referral = await sent_referral(client, la)
    # when the other provider opens it
    assert (await _open(client, other.admin, referral))["myDelivery"]["openedAt"] is not None
    # then it is still new to this one
    assert await _opened_at(client, mine.admin, referral) is None


async def test_the_la_or_a_provider_signatory_reading_it_does_not_open_it(
    people: People, client: GraphQLClient
) -> None:
    # given a referral delivered to a provider
    la, provider, referral = await _delivered(people, client)
    # when its LA reads it, and a signatory-only person of the provider asks for it
    as_la = (await client.data(LA_READS, {"id": referral}, token=la.caseworker.token))["node"]
    signatory = await people.signed_in(provider.organisation_id, Role.PROVIDER_SIGNATORY)
    await client.data(OPEN, {"id": referral}, token=signatory.token)
    # then it is still new to the provider (and the LA sees it unopened)
    assert as_la["myDelivery"] is None
    assert [d["openedAt"] for d in as_la["deliveries"]] == [None]
    assert await _opened_at(client, provider.admin, referral) is None


async def test_the_la_sees_when_the_provider_opened_it(
    people: People, client: GraphQLClient
) -> None:
    # given a referral its provider opened
    la, provider, referral = await _delivered(people, client)
    opened = (await _open(client, provider.admin, referral))["myDelivery"]["openedAt"]
    # when the LA reads its deliveries, then it sees when
    as_la = (await client.data(LA_READS, {"id": referral}, token=la.caseworker.token))["node"]
    assert [d["openedAt"] for d in as_la["deliveries"]] == [opened]


async def test_a_new_version_delivered_is_new_again(people: People, client: GraphQLClient) -> None:
    # given a referral its provider opened
    la, provider, referral = await _delivered(people, client)
    await _open(client, provider.admin, referral)
    # when the LA edits it and sends the new version
    edited = await client.data(
        UPDATE,
        {"input": {"id": referral, "summary": "Now needs a home within walking distance."}},
        token=la.caseworker.token,
    )
    assert edited["updateReferral"]["userErrors"] == []
    sent = await client.data(SEND, {"id": referral}, token=la.caseworker.token)
    assert sent["sendReferral"]["userErrors"] == []
    # then the provider has not opened this version yet
    assert await _opened_at(client, provider.admin, referral) is None

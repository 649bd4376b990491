"""A sent referral, the LA's people, two providers that received it and one that did not."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from core.identity.roles import Role
from tests.graphql_client import GraphQLClient
from tests.messages.operations import CREATE_REFERRAL, SEND_REFERRAL
from tests.people import People, Person
from tests.referrals.homes import HomeSpec, Provider, provider_with_homes


@dataclass
class Scene:
    la_id: object
    caseworker: Person
    la_admin: Person
    #: The provider whose thread the tests write in, and a colleague of its admin.
    provider: Provider
    provider_user: Person
    #: Received the same referral: a competitor, an outsider to the first provider's thread.
    outsider: Provider
    #: Did not receive the referral at all.
    stranger: Provider
    referral_id: str


async def sent_referral(client: GraphQLClient, caseworker: Person) -> str:
    created = (await client.data(CREATE_REFERRAL, token=caseworker.token))["createReferral"]
    assert created["userErrors"] == [], created
    sent = await client.data(
        SEND_REFERRAL, {"id": created["referral"]["id"]}, token=caseworker.token
    )
    assert sent["sendReferral"]["userErrors"] == [], sent
    return created["referral"]["id"]


@pytest.fixture
async def scene(people: People, client: GraphQLClient) -> Scene:
    la_id = await people.local_authority("Birmingham", "BIR", ("RESIDENTIAL",))
    caseworker = await people.caseworker(la_id)
    la_admin = await people.la_admin(la_id)
    provider = await provider_with_homes(people, HomeSpec(), name="Acorn Care")
    provider_user = await people.signed_in(provider.organisation_id, Role.PROVIDER_USER)
    outsider = await provider_with_homes(people, HomeSpec(), name="Birch Homes")
    stranger = await provider_with_homes(people, HomeSpec("FOSTERING"), name="Cedar Fostering")
    referral_id = await sent_referral(client, caseworker)
    return Scene(
        la_id=la_id,
        caseworker=caseworker,
        la_admin=la_admin,
        provider=provider,
        provider_user=provider_user,
        outsider=outsider,
        stranger=stranger,
        referral_id=referral_id,
    )

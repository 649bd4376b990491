"""Each notification email links to the web page of what it is about (web.md section 2)."""

from __future__ import annotations

import re
import uuid

import pytest

from core.notifications.links import PAGES, global_id
from schema.node import encode_id
from tests.graphql_client import GraphQLClient
from tests.offers.helpers import emails_to, pilot_la, ready_provider, sent_referral, submitted
from tests.people import People
from tests.referrals.homes import HomeSpec
from tests.web.session import WebSession

SEND_MESSAGE = """
mutation ($input: SendMessageInput!) { sendMessage(input: $input) { userErrors { field message code } } }
"""


@pytest.mark.parametrize("type_name", sorted(PAGES))
def test_an_emails_address_uses_the_graphql_global_id(type_name: str) -> None:
    key = uuid.uuid4()
    assert global_id(type_name, key) == encode_id(type_name, key)


def _links(bodies: list[str]) -> list[str]:
    return [link for body in bodies for link in re.findall(r"http://\S+", body)]


async def test_the_referral_email_links_to_the_referral_page(
    web: WebSession, people: People, client: GraphQLClient
) -> None:
    # given a provider that receives a referral
    la = await pilot_la(people)
    provider = await ready_provider(people, HomeSpec())
    referral = await sent_referral(client, la)
    # when its email is read
    emails = await emails_to(people, provider.admin)
    links = _links([e.body for e in emails if e.kind == "REFERRAL_RECEIVED"])
    # then it links to the referral's page, which opens for the person
    assert links == [f"{people.settings.base_url}/referrals/{referral}"]
    await web.sign_in(provider.admin)
    page = await web.get(links[0].removeprefix(people.settings.base_url))
    assert page.status_code == 200 and "Your homes that match" in page.text


async def test_offer_and_message_emails_link_to_their_pages(
    people: People, client: GraphQLClient
) -> None:
    # given an offer to an LA, and a message from the provider
    la = await pilot_la(people)
    provider = await ready_provider(people, HomeSpec())
    referral = await sent_referral(client, la)
    offer = await submitted(client, referral, provider)
    sent = await client.data(
        SEND_MESSAGE,
        {"input": {"referralId": referral, "body": "Any questions?"}},
        token=provider.admin.token,
    )
    assert sent["sendMessage"]["userErrors"] == []
    # when the caseworker's emails are read
    emails = await emails_to(people, la.caseworker)
    by_kind = {e.kind: _links([e.body]) for e in emails}
    # then the offer's links to the offer, the message's to its referral
    base = people.settings.base_url
    assert by_kind["OFFER_RECEIVED"] == [f"{base}/offers/{offer['id']}"]
    assert by_kind["MESSAGE_RECEIVED"] == [f"{base}/referrals/{referral}"]

"""The provider's pages without a browser: what another organisation may not see, and the
forms' answers."""

from __future__ import annotations

import re

import httpx

from core.identity.roles import OrganisationKind, Role
from tests.graphql_client import GraphQLClient
from tests.offers.helpers import La, pilot_la, ready_provider, sent_referral, submitted
from tests.people import People
from tests.referrals.homes import HomeSpec, Provider
from tests.web.session import WebSession


async def _offered(
    people: People, client: GraphQLClient
) -> tuple[La, Provider, Provider, str, str]:
    la = await pilot_la(people)
    mine = await ready_provider(people, HomeSpec(), name="Mine")
    other = await ready_provider(people, HomeSpec(), name="Other")
    referral = await sent_referral(client, la)
    offer = await submitted(client, referral, mine)
    return la, mine, other, referral, offer["id"]


async def test_a_provider_that_did_not_receive_a_referral_gets_404_for_its_pages(
    web: WebSession, people: People, client: GraphQLClient
) -> None:
    # given a referral delivered to a provider, with its offer
    _, _, _, referral, offer = await _offered(people, client)
    # when a person of a provider that did not receive it opens its pages
    stranger = await people.organisation(OrganisationKind.PROVIDER)
    await web.sign_in(await people.account(stranger, Role.PROVIDER_ADMIN, Role.PROVIDER_USER))
    # then each answers the 404 page, saying nothing of it
    for path in (
        f"/referrals/{referral}",
        f"/referrals/{referral}/offer",
        f"/referrals/{referral}/decline",
        f"/offers/{offer}",
    ):
        response = await web.get(path)
        assert response.status_code == 404, path
        assert "Page not found" in response.text
        assert "STK-" not in response.text


async def test_another_providers_offer_answers_404(
    web: WebSession, people: People, client: GraphQLClient
) -> None:
    # given two providers that received a referral, one of which made an offer
    _, mine, other, referral, offer = await _offered(people, client)
    # when the other opens the offer, then 404; the referral itself it may read
    await web.sign_in(other.admin)
    assert (await web.get(f"/offers/{offer}")).status_code == 404
    assert (await web.get(f"/referrals/{referral}")).status_code == 200
    # and the provider that made it sees it
    web.http.cookies.clear()
    await web.sign_in(mine.admin)
    page = await web.get(f"/offers/{offer}")
    assert page.status_code == 200 and "£4,250.00" in page.text


async def test_declining_needs_a_reason(
    web: WebSession, people: People, client: GraphQLClient
) -> None:
    # given a provider that received a referral
    _, _, other, referral, _ = await _offered(people, client)
    await web.sign_in(other.admin)
    # when it declines with no reason
    response = await web.post(f"/referrals/{referral}/decline", {"reason": "  "})
    # then the error summary says what to do, linking to the field
    assert response.status_code == 400
    assert 'href="#reason"' in response.text
    assert "Enter why you are declining the referral" in response.text
    # and with a reason it is declined
    done = await web.follow(
        await web.post(f"/referrals/{referral}/decline", {"reason": "No beds until March."})
    )
    assert "You declined the referral." in done.text
    assert "No beds until March." in done.text


async def test_an_offer_error_from_the_api_lands_on_its_field(
    web: WebSession, people: People, client: GraphQLClient
) -> None:
    # given a provider that received a referral
    _, _, other, referral, _ = await _offered(people, client)
    await web.sign_in(other.admin)
    # when it offers a fee with three decimal places (the API refuses it)
    response = await web.post(
        f"/referrals/{referral}/offer",
        {"homeId": other.home(), "coreFee": "100.005", "details.staffingRatio": "1:1"},
    )
    # then the API's message is on the fee, and what was typed is kept
    assert response.status_code == 400, response.text[-2000:]
    assert 'id="coreFee-error"' in response.text
    assert 'value="100.005"' in response.text
    assert 'value="1:1"' in response.text


async def test_the_organisation_page_leads_to_its_sections(web: WebSession, people: People) -> None:
    provider = await people.organisation(OrganisationKind.PROVIDER, "Rowan Homes")
    await web.sign_in(await people.account(provider, Role.PROVIDER_ADMIN, Role.PROVIDER_USER))
    page = await web.get("/organisation")
    assert page.status_code == 200
    for href in ("/organisation/registration", "/organisation/documents", "/organisation/users"):
        assert f'href="{href}"' in page.text
        assert (await web.get(href)).status_code == 200, href


async def test_a_page_of_one_kind_of_organisation_answers_404_to_another(
    web: WebSession, people: People, client: GraphQLClient
) -> None:
    # given a referral, and a person of its LA (whose pages of it are not the provider's)
    la, _, _, referral, _ = await _offered(people, client)
    await web.sign_in(la.caseworker)
    # when they open the provider's offer form of it, then 404
    assert (await web.get(f"/referrals/{referral}/offer")).status_code == 404
    # while the list of referrals serves both kinds
    listed = await web.get("/referrals")
    assert listed.status_code == 200 and "STK-" in listed.text


def _tagged_new(listing: str, referral: str) -> bool:
    """Whether the list's row of ``referral`` carries the "New" tag."""
    cell = re.search(rf'href="/referrals/{re.escape(referral)}">.*?</td>', listing, re.S)
    assert cell, f"{referral} is not listed"
    return "portal-new" in cell.group(0)


async def test_the_new_tag_goes_for_everyone_once_a_colleague_opens_the_referral(
    web: WebSession, people: People, client: GraphQLClient, app: object
) -> None:
    # given a referral delivered to a provider: new on its admin's list, however often listed
    la = await pilot_la(people)
    mine = await ready_provider(people, HomeSpec(), name="Mine")
    referral = await sent_referral(client, la)
    await web.sign_in(mine.admin)
    assert _tagged_new((await web.get("/referrals")).text, referral)
    assert _tagged_new((await web.get("/referrals")).text, referral)
    # when a colleague opens its page, in their own browser
    transport = httpx.ASGITransport(app=app, client=("127.0.0.1", 51002))  # type: ignore[arg-type]
    async with httpx.AsyncClient(transport=transport, base_url=str(web.http.base_url)) as http:
        colleague = WebSession(http)
        await colleague.sign_in(await people.account(mine.organisation_id, Role.PROVIDER_USER))
        assert (await colleague.get(f"/referrals/{referral}")).status_code == 200
    # then it is no longer new to the admin either
    assert not _tagged_new((await web.get("/referrals")).text, referral)

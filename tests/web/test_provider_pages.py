"""The provider's pages without a browser: what another organisation may not see, and the
forms' answers."""

from __future__ import annotations

import re
from html import unescape

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
    # when it sends, from the check page, a fee with three decimal places (the API refuses it)
    response = await web.post(
        f"/referrals/{referral}/offer/check",
        {
            "homeId": other.home(),
            "coreFee": "100.005",
            "details.staffingRatio": "1:1",
            "send": "yes",
        },
        from_page=f"/referrals/{referral}/offer",
    )
    # then the form is shown again: the API's message on the fee, and what was typed kept
    assert response.status_code == 400, response.text[-2000:]
    assert 'id="coreFee-error"' in response.text
    assert 'href="#coreFee"' in response.text  # the error summary
    assert 'value="100.005"' in response.text
    assert 'value="1:1"' in response.text
    assert f'action="/referrals/{referral}/offer/check"' in response.text


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


# ---------------------------------------------------------------- check your answers

HIDDEN = re.compile(r'<input type="hidden" name="([^"]+)" value="([^"]*)">')
ANSWERS = {
    "coreFee": "4,250",
    "additionalCosts.0.description": "Extra 1:1 support",
    "additionalCosts.0.amount": "300",
    "additionalCosts.0.frequency": "WEEKLY",
    "startDate-day": "3",
    "startDate-month": "3",
    "startDate-year": "2027",
    "details.staffingRatio": "2:1 <days>",
    "details.nonFrameworkHome": "true",
}


def _carried(page: str) -> dict[str, list[str]]:
    """The answers a check page carries in its hidden fields (the CSRF token aside)."""
    carried: dict[str, list[str]] = {}
    for name, value in HIDDEN.findall(page):
        if name != "csrf_token":
            carried.setdefault(name, []).append(unescape(value))
    return carried


async def _offers(client: GraphQLClient, provider: Provider, referral: str) -> list[dict]:
    query = "query ($id: ID!) { node(id: $id) { ... on Referral { offers { id coreFee } } } }"
    data = await client.data(query, {"id": referral}, token=provider.admin.token)
    return data["node"]["offers"]


async def _checked(web: WebSession, referral: str, provider: Provider) -> str:
    answers = {**ANSWERS, "homeId": provider.home()}
    page = await web.post(
        f"/referrals/{referral}/offer/check", answers, from_page=f"/referrals/{referral}/offer"
    )
    assert page.status_code == 200, page.text[-2000:]
    return page.text


async def test_the_offer_form_leads_to_a_check_page_of_everything_it_will_send(
    web: WebSession, people: People, client: GraphQLClient
) -> None:
    # given a provider that received a referral, on its offer form
    _, _, other, referral, _ = await _offered(people, client)
    await web.sign_in(other.admin)
    form = await web.get(f"/referrals/{referral}/offer")
    assert f'action="/referrals/{referral}/offer/check"' in form.text
    # when it continues with its answers
    page = await _checked(web, referral, other)
    # then the check page shows each of them as it will be sent, with the documents attached
    summary = page[page.index('id="offer-summary"') :]
    for shown in (
        "Oak House, B1 1AA",
        "£4,250.00",
        "Extra 1:1 support: £300.00, weekly",
        "3 March 2027",
        "Staffing ratio",
        "2:1 &lt;days&gt;",
        "Ofsted certificate",
        "Send offer",
    ):
        assert shown in summary, shown
    assert 'formaction="/referrals/' + referral + '/offer#coreFee"' in page
    # and nothing is sent yet
    assert await _offers(client, other, referral) == []


async def test_change_on_the_check_page_goes_back_to_the_form_with_the_answers_kept(
    web: WebSession, people: People, client: GraphQLClient
) -> None:
    # given a check page of an offer
    _, _, other, referral, _ = await _offered(people, client)
    await web.sign_in(other.admin)
    carried = _carried(await _checked(web, referral, other))
    # when "Change" of the weekly core fee is pressed
    form = await web.post(
        f"/referrals/{referral}/offer",
        {**carried, "change": "coreFee"},
        from_page=f"/referrals/{referral}/offer",
    )
    # then the form has every answer as it was given
    assert form.status_code == 200
    assert 'value="4,250"' in form.text
    assert 'value="Extra 1:1 support"' in form.text
    assert 'value="2027"' in form.text
    assert 'value="2:1 &lt;days&gt;"' in form.text
    assert f'value="{other.home()}" checked' in form.text
    assert "govuk-error-summary" not in form.text


async def test_send_offer_on_the_check_page_sends_it(
    web: WebSession, people: People, client: GraphQLClient
) -> None:
    # given a check page of an offer
    _, _, other, referral, _ = await _offered(people, client)
    await web.sign_in(other.admin)
    carried = _carried(await _checked(web, referral, other))
    # when "Send offer" is pressed
    sent = await web.follow(
        await web.post(
            f"/referrals/{referral}/offer/check",
            {**carried, "send": "yes"},
            from_page=f"/referrals/{referral}/offer",
        )
    )
    # then the offer is sent as checked
    assert "Your offer was sent to Stoke-on-Trent." in sent.text
    assert [o["coreFee"] for o in await _offers(client, other, referral)] == ["4250.00"]
    # and changing it again checks the changes before "Save changes"
    again = _carried(await _checked(web, referral, other))
    assert "Check the changes to your offer" in web.last.text and "Save changes" in web.last.text
    saved = await web.follow(
        await web.post(
            f"/referrals/{referral}/offer/check",
            {**again, "coreFee": "4300", "send": "yes"},
            from_page=f"/referrals/{referral}/offer",
        )
    )
    assert "Your offer was updated." in saved.text and "£4,300.00" in saved.text


async def test_answers_the_page_can_see_are_wrong_stay_on_the_form(
    web: WebSession, people: People, client: GraphQLClient
) -> None:
    # given a provider on its offer form
    _, _, other, referral, _ = await _offered(people, client)
    await web.sign_in(other.admin)
    # when it continues without choosing a home
    response = await web.post(
        f"/referrals/{referral}/offer/check", ANSWERS, from_page=f"/referrals/{referral}/offer"
    )
    # then the form again, with the error summary, not the check page
    assert response.status_code == 400
    assert 'href="#homeId"' in response.text
    assert 'id="offer-summary"' not in response.text
    assert 'value="Extra 1:1 support"' in response.text


async def test_the_check_page_is_only_posted_to_with_its_token(
    web: WebSession, people: People, client: GraphQLClient
) -> None:
    # given a provider that received a referral
    _, _, other, referral, _ = await _offered(people, client)
    await web.sign_in(other.admin)
    # when the check page is opened by its address, it is the form
    opened = await web.get(f"/referrals/{referral}/offer/check")
    assert opened.status_code == 303
    assert opened.headers["location"] == f"/referrals/{referral}/offer"
    # and "Send offer" posted without the form's token is refused
    answers = {**ANSWERS, "homeId": other.home(), "send": "yes"}
    refused = await web.post(f"/referrals/{referral}/offer/check", answers, csrf=False)
    assert refused.status_code == 403
    assert await _offers(client, other, referral) == []

"""The LA caseworker's journey in the web client, without a browser: create a referral,
check the answers, send it, read the deliveries and offers, accept one, message a provider."""

from __future__ import annotations

import re

from core.identity.roles import Role
from tests.messages.operations import SEND as SEND_MESSAGE
from tests.offers.helpers import La, pilot_la, ready_provider, sent_referral, submitted
from tests.people import People
from tests.referrals.homes import HomeSpec
from tests.referrals.operations import DECLINE
from tests.registration.helpers import PDF
from tests.web.session import WebSession


def _form(**extra: str) -> dict[str, str]:
    return {
        "category": "RESIDENTIAL",
        "children.0.age": "12",
        "children.0.gender": "FEMALE",
        "children.0.needs": "",
        "urgency": "WITHIN_5_DAYS",
        "summary": "Two sisters who need to stay together.",
        "action": "save",
        **extra,
    }


async def _new_referral(web: WebSession, data: dict[str, str], files=None):  # type: ignore[no-untyped-def]
    return await web.post(
        "/referrals/new?category=RESIDENTIAL",
        data,
        files=files,
        from_page="/referrals/new?category=RESIDENTIAL",
    )


async def test_a_caseworker_creates_a_sibling_group_referral_and_checks_the_answers(
    web: WebSession, people: People
) -> None:
    # given a caseworker of an LA that sends residential referrals
    la = await pilot_la(people)
    await web.sign_in(la.caseworker)
    # when they fill the form for two children, with details and a referral form
    data = _form(
        **{
            "children.1.age": "14",
            "children.1.gender": "FEMALE",
            "details.legalStatus": "Section 20",
            "details.solePlacementRequired": "false",
        }
    )
    answer = await _new_referral(
        web, data, files={"referralForms": ("Local form.pdf", PDF, "application/pdf")}
    )
    page = await web.follow(answer)
    # then the draft is saved and its answers are shown to check before sending
    assert page.status_code == 200
    assert "Check your answers before sending the referral" in page.text
    assert "2 children: 12, female; 14, female" in page.text
    assert "Section 20" in page.text
    assert "Local form.pdf" in page.text
    assert "Referral saved as a draft" in page.text


async def test_adding_and_removing_a_child_keeps_every_answer(
    web: WebSession, people: People
) -> None:
    # given a caseworker part way through the form
    la = await pilot_la(people)
    await web.sign_in(la.caseworker)
    # when they add a child
    added = await _new_referral(web, _form(action="add-child"))
    # then the form comes back with a second child and the answers as typed
    assert added.status_code == 200
    assert 'name="children.1.age"' in added.text
    assert "Two sisters who need to stay together." in added.text
    # and removing the first child keeps the second's answers
    removed = await _new_referral(
        web,
        _form(
            action="remove-child-0",
            **{"children.1.age": "9", "children.1.gender": "MALE"},
        ),
    )
    assert 'name="children.1.age"' not in removed.text
    assert 'value="9"' in removed.text


async def test_a_missing_age_is_shown_on_its_field_with_the_answers_kept(
    web: WebSession, people: People
) -> None:
    la = await pilot_la(people)
    await web.sign_in(la.caseworker)
    response = await _new_referral(web, _form(**{"children.0.age": ""}))
    assert response.status_code == 400
    assert 'id="children-0-age-error"' in response.text
    assert 'href="#children-0-age"' in response.text
    assert "Two sisters who need to stay together." in response.text


async def test_the_apis_own_errors_land_on_the_childs_field(
    web: WebSession, people: People
) -> None:
    # given a caseworker; residential takes children up to 17
    la = await pilot_la(people)
    await web.sign_in(la.caseworker)
    # when the age is out of the category's range
    response = await _new_referral(web, _form(**{"children.0.age": "19"}))
    # then the API's message is on the age field
    assert response.status_code == 400
    assert 'id="children-0-age-error"' in response.text


async def test_only_the_categories_enabled_for_the_la_are_offered(
    web: WebSession, people: People
) -> None:
    la = await pilot_la(people)
    await web.sign_in(la.caseworker)
    page = await web.get("/referrals/new")
    assert 'value="RESIDENTIAL"' in page.text and 'value="FOSTERING"' in page.text
    assert 'value="FAMILY_ASSESSMENT"' not in page.text
    refused = await web.get("/referrals/new?category=FAMILY_ASSESSMENT")
    assert refused.status_code == 400
    assert "Select the category of placement" in refused.text


async def test_sending_says_how_many_providers_received_it(web: WebSession, people: People) -> None:
    # given two providers with a matching home and a draft referral
    la = await pilot_la(people)
    for name in ("Birch Care", "Cedar Homes"):
        await ready_provider(people, HomeSpec(name=f"{name} House"), name=name)
    await web.sign_in(la.caseworker)
    check = await web.follow(await _new_referral(web, _form()))
    referral_id = re.search(r'action="/referrals/([^"/]+)/send"', check.text).group(1)
    # when they send it
    sent = await web.post(
        f"/referrals/{referral_id}/send", {}, from_page=f"/referrals/{referral_id}/check"
    )
    page = await web.follow(sent)
    # then
    assert "Referral sent: 2 providers received version 1" in page.text
    assert "2 providers received this referral" in page.text
    assert "Birch Care" in page.text and "Cedar Homes" in page.text


async def test_the_la_compares_offers_and_accepting_one_declines_the_other(
    web: WebSession, people: People, client
) -> None:
    # given a sent referral with two offers
    la = await pilot_la(people)
    birch = await ready_provider(people, HomeSpec(name="Birch House"), name="Birch Care")
    cedar = await ready_provider(people, HomeSpec(name="Cedar House"), name="Cedar Homes")
    referral = await sent_referral(client, la)
    first = await submitted(client, referral, birch, coreFee="4000.00")
    await submitted(client, referral, cedar, coreFee="4500.00")
    await web.sign_in(la.caseworker)
    # when the LA reads the referral
    page = await web.get(f"/referrals/{referral}")
    # then the offers are side by side with their weekly totals
    assert "2 offers side by side" in page.text
    assert "£4,350.00" in page.text and "£4,850.00" in page.text
    # and accepting one says the other will be declined, then does it
    confirm = await web.get(f"/offers/{first['id']}/accept")
    assert "The other 1 offer (Cedar Homes) will be declined" in confirm.text
    done = await web.follow(await web.post(f"/offers/{first['id']}/accept", {}))
    assert "Offer from Birch Care accepted; the other 1 declined" in done.text
    assert "Another offer was accepted for this referral." in done.text


async def test_the_la_reads_and_answers_a_providers_message(
    web: WebSession, people: People, client
) -> None:
    la = await pilot_la(people)
    birch = await ready_provider(people, HomeSpec(name="Birch House"), name="Birch Care")
    referral = await sent_referral(client, la)
    sent = await client.data(
        SEND_MESSAGE,
        {"input": {"referralId": referral, "body": "Is a school place arranged?"}},
        token=birch.admin.token,
    )
    assert sent["sendMessage"]["userErrors"] == []
    await web.sign_in(la.caseworker)
    # when the caseworker opens the thread
    thread = await web.get(f"/referrals/{referral}/messages/{birch.id}")
    # then the message is new to them, and then answered
    assert "Is a school place arranged?" in thread.text and "New message" in thread.text
    answer = await web.post(
        f"/referrals/{referral}/messages/{birch.id}", {"body": "Yes, at Oak Primary."}
    )
    after = await web.follow(answer)
    assert "Message sent to Birch Care" in after.text
    assert "Yes, at Oak Primary." in after.text
    assert "New message" not in after.text


async def test_another_las_caseworker_gets_404_on_these_pages(
    web: WebSession, people: People, client
) -> None:
    la = await pilot_la(people)
    birch = await ready_provider(people, HomeSpec(name="Birch House"), name="Birch Care")
    referral = await sent_referral(client, la)
    offer = await submitted(client, referral, birch)
    other = La(
        id=(other_id := await people.local_authority("Coventry", "COV", ("RESIDENTIAL",))),
        caseworker=await people.caseworker(other_id),
    )
    await web.sign_in(other.caseworker)
    for path in (
        f"/referrals/{referral}",
        f"/referrals/{referral}/edit",
        f"/referrals/{referral}/check",
        f"/referrals/{referral}/withdraw",
        f"/referrals/{referral}/messages/{birch.id}",
        f"/offers/{offer['id']}/accept",
        f"/offers/{offer['id']}/decline",
    ):
        assert (await web.get(path)).status_code == 404, path


async def test_a_signatory_only_person_cannot_open_referrals(
    web: WebSession, people: People, client
) -> None:
    la = await pilot_la(people)
    referral = await sent_referral(client, la)
    signatory = await people.signed_in(la.id, Role.LA_SIGNATORY)
    await web.sign_in(signatory)
    for path in ("/referrals", f"/referrals/{referral}", "/referrals/new"):
        assert (await web.get(path)).status_code == 404, path


async def test_editing_a_sent_referral_says_it_will_reach_the_providers_that_declined(
    web: WebSession, people: People, client
) -> None:
    # given a sent referral that one provider declined
    la = await pilot_la(people)
    birch = await ready_provider(people, HomeSpec(name="Birch House"), name="Birch Care")
    referral = await sent_referral(client, la)
    declined = await client.data(
        DECLINE, {"id": referral, "reason": "No bed"}, token=birch.admin.token
    )
    assert declined["declineReferral"]["userErrors"] == []
    await web.sign_in(la.caseworker)
    # when the caseworker changes it
    edit = await web.get(f"/referrals/{referral}/edit")
    assert "including the 1 that declined an earlier version (Birch Care)" in edit.text
    values = _form(summary="Now with a school place arranged.")
    del values["category"]
    check = await web.follow(await web.post(f"/referrals/{referral}/edit", values))
    # then the new version is checked, and sending it reaches the provider again
    assert "version 2" in check.text
    assert "1 provider declined an earlier version (Birch Care)" in check.text
    sent = await web.follow(
        await web.post(f"/referrals/{referral}/send", {}, from_page=f"/referrals/{referral}/check")
    )
    assert "Referral sent: 1 provider received version 2" in sent.text


async def test_a_caseworker_withdraws_a_referral_with_a_reason(
    web: WebSession, people: People, client
) -> None:
    la = await pilot_la(people)
    referral = await sent_referral(client, la)
    await web.sign_in(la.caseworker)
    empty = await web.post(f"/referrals/{referral}/withdraw", {"reason": ""})
    assert empty.status_code == 400 and 'id="reason-error"' in empty.text
    done = await web.follow(
        await web.post(f"/referrals/{referral}/withdraw", {"reason": "Placed with family"})
    )
    assert "Referral withdrawn" in done.text and "Withdrawn" in done.text


async def test_the_las_referrals_are_listed_and_filtered_by_status_and_category(
    web: WebSession, people: People, client
) -> None:
    # given a sent residential referral and a draft
    la = await pilot_la(people)
    await sent_referral(client, la)
    await web.sign_in(la.caseworker)
    await _new_referral(web, _form())
    # when the list is read, then filtered
    everything = await web.get("/referrals")
    sent = await web.get("/referrals?status=SENT&category=RESIDENTIAL")
    fostering = await web.get("/referrals?category=FOSTERING")
    # then
    assert "2 referrals" in everything.text
    assert "1 referral<" in sent.text and "Sent" in sent.text
    assert "0 referrals" in fostering.text and "No referrals match." in fostering.text


REFERRAL_READ = "query ($id: ID!) { node(id: $id) { ... on Referral { reference summary } } }"


async def test_an_la_admin_sees_who_has_viewed_the_referral_and_a_caseworker_does_not(
    web: WebSession, people: People, client, application
) -> None:
    # given a sent referral that a provider's admin read through the API
    la = await pilot_la(people)
    birch = await ready_provider(people, HomeSpec(name="Birch House"), name="Birch Care")
    referral = await sent_referral(client, la)
    await client.data(REFERRAL_READ, {"id": referral}, token=birch.admin.token)
    await application.state.access_log.flush()
    # when the LA's admin opens the referral
    await web.sign_in(await people.la_admin(la.id))
    page = await web.get(f"/referrals/{referral}")
    # then the page says who has viewed it
    assert "Who has viewed this" in page.text
    assert "Birch Care" in page.text.split("Who has viewed this", 1)[1]
    # and a caseworker's page of the same referral has no such section
    web.http.cookies.clear()
    await web.sign_in(la.caseworker)
    assert "Who has viewed this" not in (await web.get(f"/referrals/{referral}")).text

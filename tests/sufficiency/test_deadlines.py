"""Response deadlines: respondBy from the LA's hours by urgency, a reminder once before it to
providers that have not responded, the LA told who missed it, and extensions (contract 13)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from core.referrals.deadlines import remind_before_deadlines, report_missed_deadlines
from tests.offers.helpers import notifications_of, ready_provider, sent_referral, submitted
from tests.people import People
from tests.referrals.homes import HomeSpec, provider_with_homes
from tests.sufficiency.given import ERRORS, MY_DELIVERY, deliveries_of

EXTEND = f"""
mutation ($input: ExtendResponseDeadlineInput!) {{
  extendResponseDeadline(input: $input) {{ referral {{ id respondBy }} {ERRORS} }}
}}"""
SET_HOURS = f"""
mutation ($input: SetResponseHoursInput!) {{
  setResponseHours(input: $input) {{ responseHours {{ today within5Days over5Days }} {ERRORS} }}
}}"""
SEND_MESSAGE = """
mutation ($input: SendMessageInput!) { sendMessage(input: $input) { userErrors { code } } }
"""


def _at(stamp: str) -> datetime:
    return datetime.fromisoformat(stamp.replace("Z", "+00:00"))


async def _respond_by(client, la, referral: str) -> datetime:
    data = await client.data(MY_DELIVERY, {"id": referral}, token=la.caseworker.token)
    return _at(data["node"]["respondBy"])


async def test_respond_by_defaults_from_the_urgency(people: People, la, client) -> None:
    # given
    before = datetime.now(UTC)
    # when
    today = await sent_referral(client, la, urgency="TODAY")
    within = await sent_referral(client, la, urgency="WITHIN_5_DAYS")
    # then
    after = datetime.now(UTC)
    assert before + timedelta(hours=4) <= await _respond_by(client, la, today)
    assert await _respond_by(client, la, today) <= after + timedelta(hours=4)
    assert before + timedelta(hours=48) <= await _respond_by(client, la, within)
    assert await _respond_by(client, la, within) <= after + timedelta(hours=48)


async def test_an_la_admin_sets_its_own_hours_for_the_next_send(people: People, la, client) -> None:
    # given
    admin = await people.la_admin(la.id)
    set_it = await client.data(SET_HOURS, {"input": {"today": 2}}, token=admin.token)
    assert set_it["setResponseHours"] == {
        "responseHours": {"today": 2, "within5Days": 48, "over5Days": 120},
        "userErrors": [],
    }
    before = datetime.now(UTC)
    # when
    referral = await sent_referral(client, la, urgency="TODAY")
    # then
    respond_by = await _respond_by(client, la, referral)
    assert before + timedelta(hours=2) <= respond_by <= datetime.now(UTC) + timedelta(hours=2)


async def test_providers_see_the_deadline(people: People, la, client) -> None:
    provider = await provider_with_homes(people, HomeSpec())
    referral = await sent_referral(client, la)
    data = await client.data(MY_DELIVERY, {"id": referral}, token=provider.admin.token)
    assert (
        data["node"]["respondBy"]
        == (await client.data(MY_DELIVERY, {"id": referral}, token=la.caseworker.token))["node"][
            "respondBy"
        ]
    )


async def test_providers_that_have_not_responded_are_reminded_once_before_the_deadline(
    people: People, la, client
) -> None:
    # given
    silent = await provider_with_homes(people, HomeSpec())
    offering = await ready_provider(people)
    writing = await provider_with_homes(people, HomeSpec())
    referral = await sent_referral(client, la, urgency="TODAY")
    await submitted(client, referral, offering)
    message = await client.data(
        SEND_MESSAGE,
        {"input": {"referralId": referral, "body": "Could you tell us more about school?"}},
        token=writing.admin.token,
    )
    assert message["sendMessage"]["userErrors"] == []
    deadline = await _respond_by(client, la, referral)
    # when
    early = await remind_before_deadlines(
        people.db, people.settings, now=deadline - timedelta(hours=3)
    )
    due = await remind_before_deadlines(
        people.db, people.settings, now=deadline - timedelta(hours=1)
    )
    again = await remind_before_deadlines(
        people.db, people.settings, now=deadline - timedelta(minutes=30)
    )
    # then
    assert (early, due, again) == (0, 1, 0)
    [reminder] = await notifications_of(people, silent.admin, "REMINDER")
    assert "asks for a response by" in reminder.message
    assert await notifications_of(people, offering.admin, "REMINDER") == []
    assert await notifications_of(people, writing.admin, "REMINDER") == []


async def test_after_the_deadline_the_la_sees_who_did_not_respond(
    people: People, la, client
) -> None:
    # given
    silent = await provider_with_homes(people, HomeSpec(), name="Quiet Homes Ltd")
    decliner = await provider_with_homes(people, HomeSpec(), name="Busy Homes Ltd")
    referral = await sent_referral(client, la, urgency="TODAY")
    from tests.referrals.operations import DECLINE

    await client.data(DECLINE, {"id": referral, "reason": "Full"}, token=decliner.admin.token)
    deadline = await _respond_by(client, la, referral)
    # when
    reported = await report_missed_deadlines(
        people.db, people.settings, now=deadline + timedelta(minutes=1)
    )
    again = await report_missed_deadlines(
        people.db, people.settings, now=deadline + timedelta(minutes=2)
    )
    # then
    assert (reported, again) == (1, 0)
    [told] = await notifications_of(people, la.caseworker, "REMINDER")
    assert "Quiet Homes Ltd" in told.message and "Busy Homes Ltd" not in told.message
    deliveries = await deliveries_of(client, la, referral)
    assert deliveries[silent.id]["respondedAt"] is None
    assert deliveries[decliner.id]["respondedAt"] is not None


async def test_the_la_extends_the_deadline_and_providers_are_reminded_again(
    people: People, la, client
) -> None:
    # given
    silent = await provider_with_homes(people, HomeSpec())
    referral = await sent_referral(client, la, urgency="TODAY")
    deadline = await _respond_by(client, la, referral)
    await remind_before_deadlines(people.db, people.settings, now=deadline - timedelta(hours=1))
    later = deadline + timedelta(hours=24)
    # when
    result = await client.data(
        EXTEND,
        {"input": {"referralId": referral, "respondBy": later.isoformat()}},
        token=la.caseworker.token,
    )
    # then
    assert result["extendResponseDeadline"]["userErrors"] == []
    assert _at(result["extendResponseDeadline"]["referral"]["respondBy"]) == later
    assert (
        await remind_before_deadlines(people.db, people.settings, now=later - timedelta(hours=1))
        == 1
    )
    reminders = await notifications_of(people, silent.admin, "REMINDER")
    # the first reminder, the news of the extension, the reminder before the new deadline
    assert len(reminders) == 3


async def test_a_deadline_is_extended_only_to_a_later_moment(people: People, la, client) -> None:
    referral = await sent_referral(client, la)
    deadline = await _respond_by(client, la, referral)
    for moment in (deadline - timedelta(hours=1), datetime.now(UTC) - timedelta(hours=1)):
        result = await client.data(
            EXTEND,
            {"input": {"referralId": referral, "respondBy": moment.isoformat()}},
            token=la.caseworker.token,
        )
        assert result["extendResponseDeadline"]["userErrors"][0]["field"] == [
            "input",
            "respondBy",
        ]


async def test_another_la_cannot_extend_the_deadline(people: People, la, client) -> None:
    referral = await sent_referral(client, la)
    other = await people.local_authority("Coventry", "COV", ("RESIDENTIAL",))
    caseworker = await people.caseworker(other)
    result = await client.data(
        EXTEND,
        {
            "input": {
                "referralId": referral,
                "respondBy": (datetime.now(UTC) + timedelta(days=9)).isoformat(),
            }
        },
        token=caseworker.token,
    )
    assert [e["code"] for e in result["extendResponseDeadline"]["userErrors"]] == ["NOT_FOUND"]

"""Identifiers kept out: NHS numbers, UPNs, dates of birth and full postcodes are refused in
referrals, messages and offer details with a userError on the field; look-alikes pass."""

from __future__ import annotations

from typing import Any

import pytest

from tests.messages.operations import SEND as SEND_MESSAGE
from tests.messages.operations import message
from tests.offers.helpers import SUBMIT, offer_input, pilot_la, ready_provider, sent_referral
from tests.people import People
from tests.referrals.operations import CREATE, referral_input

VALID_NHS = "943 476 5919"  # check digit 9 is right (mod 11)
WRONG_CHECK_DIGIT = "943 476 5918"
VALID_UPN = "A123456789012"  # check letter A is right (mod 23)
WRONG_CHECK_LETTER = "B123456789012"
SUMMARY = "14-year-old girl needs a residential placement. "


async def _create(client: Any, token: str, **extra: Any) -> list[dict[str, Any]]:
    payload = (await client.data(CREATE, referral_input(**extra), token=token))["createReferral"]
    return payload["userErrors"]


@pytest.fixture
async def la(people: People):  # type: ignore[no-untyped-def]
    return await pilot_la(people)


@pytest.mark.parametrize(
    ("text", "what"),
    [
        (f"NHS number {VALID_NHS}.", "NHS number"),
        (f"NHS number {VALID_NHS.replace(' ', '')}.", "NHS number"),
        (f"UPN {VALID_UPN}.", "unique pupil number"),
        ("DOB 12/03/2012.", "date of birth"),
        ("She was born on 3 March 2012.", "date of birth"),
        ("Date of birth: 2012-03-03.", "date of birth"),
        ("She lives at B15 2TT.", "full postcode"),
        ("She lives at b152tt.", "full postcode"),
    ],
)
async def test_a_summary_with_an_identifier_is_refused_on_its_field(
    client: Any, la: Any, text: str, what: str
) -> None:
    # when
    errors = await _create(client, la.caseworker.token, summary=SUMMARY + text)

    # then
    assert [e["field"] for e in errors] == [["input", "summary"]]
    assert errors[0]["code"] == "INVALID"
    assert what in errors[0]["message"]


@pytest.mark.parametrize(
    "text",
    [
        f"Reference {WRONG_CHECK_DIGIT} is an ordinary number.",
        f"Code {WRONG_CHECK_LETTER} is not a UPN.",
        "She is 14; placement needed from 01/02/2027.",
        "School is near B15, close to Edgbaston.",
        "Call 0121 496 0000 for the duty team.",
    ],
)
async def test_look_alikes_pass(client: Any, la: Any, text: str) -> None:
    assert await _create(client, la.caseworker.token, summary=SUMMARY + text) == []


async def test_a_childs_needs_with_a_date_of_birth_is_refused_on_the_child(
    client: Any, la: Any
) -> None:
    # when
    errors = await _create(
        client,
        la.caseworker.token,
        children=[{"age": 14, "gender": "FEMALE", "needs": "D.O.B. 12.03.2012, needs 1:1"}],
    )

    # then
    assert [e["field"] for e in errors] == [["input", "children", "0", "needs"]]


async def test_details_with_a_postcode_are_refused_inside_details(client: Any, la: Any) -> None:
    # when
    errors = await _create(
        client, la.caseworker.token, details={"risks": ["None known", "Goes missing to B15 2TT"]}
    )

    # then
    assert [e["field"] for e in errors] == [["input", "details", "risks", "1"]]


async def test_a_message_with_an_nhs_number_is_refused(
    client: Any, la: Any, people: People
) -> None:
    # given
    await ready_provider(people)
    referral = await sent_referral(client, la)

    # when
    payload = (
        await client.data(
            SEND_MESSAGE,
            message(referral, f"Her NHS number is {VALID_NHS}"),
            token=la.caseworker.token,
        )
    )["sendMessage"]

    # then
    assert payload["message"] is None
    assert [e["field"] for e in payload["userErrors"]] == [["input", "body"]]


async def test_offer_details_with_a_full_postcode_are_refused(
    client: Any, la: Any, people: People
) -> None:
    # given
    provider = await ready_provider(people)
    referral = await sent_referral(client, la)

    # when
    payload = (
        await client.data(
            SUBMIT,
            offer_input(referral, provider, details={"education": "Her school is at B15 2TT"}),
            token=provider.admin.token,
        )
    )["submitOffer"]

    # then
    assert payload["offer"] is None
    assert ["input", "details", "education"] in [e["field"] for e in payload["userErrors"]]

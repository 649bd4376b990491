"""Finding 9: repeated failures slow an email address down (never lock it), whether or not an
account has it: a stranger cannot lock the owner out, and no answer tells which addresses have
an account."""

from __future__ import annotations

import asyncio
import re

import pytest

from core.settings import Settings
from tests.people import LOGIN, PASSWORD, People

CAP_SECONDS = 4


@pytest.fixture
def settings(settings: Settings) -> Settings:
    """The wait capped at a few seconds, so that a test can sit one out."""
    return settings.model_copy(update={"sign_in_max_wait_seconds": CAP_SECONDS})


def _wait(answer: dict) -> int:
    """The seconds an answer asks to wait (0 when it asks for none)."""
    match = re.search(r"Wait (\d+) seconds?", answer["userErrors"][0]["message"])
    return int(match.group(1)) if match else 0


async def test_a_stranger_cannot_lock_the_owner_out(people: People, client) -> None:
    # given a stranger who tried wrong passwords for the owner's address until the wait is
    # the longest there is, then kept on hammering
    owner = await people.account(await people.local_authority())
    waits: list[int] = []
    for _ in range(8):
        answer = (await client.data(LOGIN, {"email": owner.email, "password": "a guess!!"}))[
            "login"
        ]
        waits.append(_wait(answer))
        await asyncio.sleep(waits[-1])
        if waits[-1] >= CAP_SECONDS:
            break
    for _ in range(5):
        await client.data(LOGIN, {"email": owner.email, "password": "another guess"})

    # when the owner comes with the right password, and waits as the answer says
    first = (await client.data(LOGIN, {"email": owner.email, "password": PASSWORD}))["login"]
    await asyncio.sleep(_wait(first))

    # then they sign in after the capped wait at most; the failures are then forgotten
    assert waits == [0, 0, 0, 0, 1, 2, 4]
    assert first["userErrors"][0]["code"] == "RATE_LIMITED"
    assert 0 < _wait(first) <= CAP_SECONDS
    assert await people.sign_in(owner)
    again = (await client.data(LOGIN, {"email": owner.email, "password": "one slip"}))["login"]
    assert again["userErrors"][0]["code"] == "INVALID_CREDENTIALS" and _wait(again) == 0


async def test_addresses_with_and_without_an_account_get_the_same_answers(
    people: People, client
) -> None:
    # given an account, and an address nobody has
    known = await people.account(await people.local_authority())
    unknown = "nobody.at.all@example.org"

    # when each gets seven wrong passwords in a row
    answers = {}
    for email in (known.email, unknown):
        answers[email] = [
            (await client.data(LOGIN, {"email": email, "password": "not the password"}))["login"]
            for _ in range(7)
        ]

    # then the answers are the same, word for word: the wrong ones, then the waits
    assert answers[known.email] == answers[unknown]
    codes = [a["userErrors"][0]["code"] for a in answers[unknown]]
    assert codes == ["INVALID_CREDENTIALS"] * 5 + ["RATE_LIMITED"] * 2

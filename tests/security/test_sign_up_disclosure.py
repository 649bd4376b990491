"""Finding 9: public sign-up never answers "already exists": an address with an account gets
the same answer as a new one, and its owner is emailed a notice instead of a second account."""

from __future__ import annotations

from sqlalchemy import func, select

from core.identity.roles import OrganisationKind
from core.models import Organisation, OutboxEmail, User
from tests.identity.test_accounts import SIGN_UP, _sign_up
from tests.people import People


async def test_signing_up_with_a_registered_address_answers_as_with_a_new_one(
    people: People, client
) -> None:
    # given an address with an account, and one without
    await people.account(
        await people.organisation(OrganisationKind.PROVIDER), email="owner@oak.example"
    )
    async with people.db.session() as session:
        organisations = await session.scalar(select(func.count()).select_from(Organisation))

    # when each signs up
    taken = await client.data(SIGN_UP, _sign_up(email="Owner@Oak.example"))
    new = await client.data(SIGN_UP, _sign_up(email="newcomer@oak.example"))

    # then the answers are the same; the owner gets a notice with a sign-in link, the newcomer
    # the link that finishes the sign-up; no organisation or account is created yet
    assert taken == new == {"signUpProvider": {"user": None, "userErrors": []}}
    async with people.db.session() as session:
        emails = {e.recipient: e for e in await session.scalars(select(OutboxEmail))}
        assert await session.scalar(select(func.count()).select_from(Organisation)) == organisations
        assert await session.scalar(select(func.count()).select_from(User)) == 1
    assert emails["owner@oak.example"].kind == "SIGN_UP_NOTICE"
    assert "You already have an account" in emails["owner@oak.example"].body
    assert "/sign-in" in emails["owner@oak.example"].body
    assert "token=" not in emails["owner@oak.example"].body
    assert emails["newcomer@oak.example"].kind == "SIGN_UP"
    assert "/finish-sign-up?token=ppu_" in emails["newcomer@oak.example"].body

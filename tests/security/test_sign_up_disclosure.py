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


async def test_expired_sign_ups_and_idle_failure_counts_are_forgotten(people: People) -> None:
    # given a sign-up whose link expired, one still open, and an address idle for two days
    from datetime import timedelta

    from core.identity.housekeeping import forget_stale
    from core.models import PendingSignUp, SignInThrottle
    from core.models.base import utcnow

    now = utcnow()
    async with people.db.transaction() as session:
        for n, expires in enumerate((now - timedelta(minutes=1), now + timedelta(days=1))):
            session.add(
                PendingSignUp(
                    token_hash=bytes([n]) * 32,
                    organisation_name="Oak",
                    name="Ann Oak",
                    email=f"ann{n}@oak.example",
                    password_hash="x",
                    expires_at=expires,
                )
            )
        session.add(
            SignInThrottle(key=b"k" * 32, failures=9, last_attempt_at=now - timedelta(days=2))
        )

    # when the daily sweep runs
    forgotten = await forget_stale(people.db)

    # then the expired sign-up and the idle count are gone; the open sign-up stays
    assert (forgotten.throttles, forgotten.sign_ups) == (1, 1)
    async with people.db.session() as session:
        left = (await session.scalars(select(PendingSignUp.email))).all()
    assert left == ["ann1@oak.example"]

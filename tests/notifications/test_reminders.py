"""The daily REMINDER: provider users with unread referrals are reminded once a day (also with
two sweeps at once); users with none are not."""

from __future__ import annotations

import asyncio
from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from core.db import Database, create_engine
from core.identity.roles import Role
from core.jobs.actors import ACTORS
from core.jobs.broker import configure_broker
from core.jobs.scheduler import SWEEPS, tick
from core.models import Notification, OutboxEmail
from core.notifications.reminders import remind_unread_referrals
from tests.messages.conftest import sent_referral
from tests.people import People
from tests.referrals.homes import HomeSpec, provider_with_homes

TODAY = date(2026, 3, 2)
MARK_READ = """
mutation { markNotificationsRead(input: {all: true}) { updatedCount userErrors { code } } }
"""
WITHDRAW = """
mutation ($id: ID!) { withdrawReferral(input: {id: $id, reason: "Placed"}) { userErrors { code } } }
"""
DECLINE = """
mutation ($id: ID!) { declineReferral(input: {id: $id, reason: "Full"}) { userErrors { code } } }
"""
NO_REMINDER_EMAILS = """
mutation { setEmailPreferences(input: {disabledKinds: [REMINDER]}) { userErrors { code } } }
"""


async def _reminders(db: Database) -> list[Notification]:
    async with db.session() as session:
        return list(
            await session.scalars(select(Notification).where(Notification.kind == "REMINDER"))
        )


async def _reminder_emails(db: Database) -> dict[object, tuple[str, str]]:
    """{user id: (subject, body)} of the REMINDER emails in the outbox."""
    async with db.session() as session:
        rows = await session.execute(
            select(OutboxEmail.user_id, OutboxEmail.subject, OutboxEmail.body).where(
                OutboxEmail.kind == "REMINDER"
            )
        )
        return {user_id: (subject, body) for user_id, subject, body in rows}


async def _emails(db: Database) -> int:
    async with db.session() as session:
        return int(
            await session.scalar(select(func.count()).where(OutboxEmail.kind == "REMINDER")) or 0
        )


@pytest.fixture
async def received(people: People, client):  # type: ignore[no-untyped-def]
    """A provider (its admin and a user) that received a referral from Birmingham."""
    la = await people.local_authority("Birmingham", "BIR", ("RESIDENTIAL",))
    caseworker = await people.caseworker(la)
    provider = await provider_with_homes(people, HomeSpec(), name="Acorn Care")
    user = await people.signed_in(provider.organisation_id, Role.PROVIDER_USER)
    referral = await sent_referral(client, caseworker)
    return caseworker, provider, user, referral


async def test_each_provider_user_with_an_unread_referral_is_reminded(received, db, settings):
    # given
    _caseworker, provider, user, _referral = received
    # when
    reminded = await remind_unread_referrals(db, settings, today=TODAY)
    # then
    reminders = await _reminders(db)
    assert reminded == 2
    assert {r.user_id for r in reminders} == {provider.admin.user_id, user.user_id}
    assert all("1 unread referral: BIR-" in r.message for r in reminders)
    assert await _emails(db) == 2


async def test_a_user_is_reminded_once_a_day(received, db, settings):
    # given
    await remind_unread_referrals(db, settings, today=TODAY)
    # when
    again = await remind_unread_referrals(db, settings, today=TODAY)
    tomorrow = await remind_unread_referrals(db, settings, today=TODAY + timedelta(days=1))
    # then
    assert again == 0
    assert tomorrow == 2
    assert len(await _reminders(db)) == 4


async def test_each_user_is_told_of_their_own_unread_referrals(received, db, settings, client):
    # given: the admin read the first referral; a second one arrives for both
    caseworker, provider, user, _referral = received
    await client.data(MARK_READ, token=provider.admin.token)
    await sent_referral(client, caseworker)
    # when
    await remind_unread_referrals(db, settings, today=TODAY)
    # then: the admin is told of one referral, the user of two; so are their emails
    messages = {r.user_id: r.message for r in await _reminders(db)}
    emails = await _reminder_emails(db)
    assert messages[provider.admin.user_id].startswith("You have 1 unread referral: BIR-")
    assert messages[user.user_id].startswith("You have 2 unread referrals: BIR-")
    assert emails[provider.admin.user_id][0] == "Placement portal: 1 unread referral"
    assert emails[user.user_id][0] == "Placement portal: 2 unread referrals"
    for user_id, (_subject, body) in emails.items():
        assert body.startswith("Dear ")
        assert f"\n\n{messages[user_id]}\n\n" in body


async def test_a_user_who_turned_reminder_emails_off_is_reminded_in_the_portal_only(
    received, db, settings, client
):
    # given
    _caseworker, provider, user, _referral = received
    await client.data(NO_REMINDER_EMAILS, token=user.token)
    # when
    reminded = await remind_unread_referrals(db, settings, today=TODAY)
    # then
    assert reminded == 2
    assert {r.user_id for r in await _reminders(db)} == {provider.admin.user_id, user.user_id}
    assert set(await _reminder_emails(db)) == {provider.admin.user_id}


async def test_users_are_reminded_in_batches_and_still_once_a_day(received, db, settings):
    # given: batches of one user each
    _caseworker, provider, user, _referral = received
    # when
    first = await remind_unread_referrals(db, settings, today=TODAY, batch=1)
    again = await remind_unread_referrals(db, settings, today=TODAY, batch=1)
    # then
    assert (first, again) == (2, 0)
    assert sorted(str(r.user_id) for r in await _reminders(db)) == sorted(
        str(u) for u in (provider.admin.user_id, user.user_id)
    )
    assert await _emails(db) == 2


async def test_two_sweeps_at_once_remind_once(received, db, settings):
    # given: two schedulers by mistake, each with its own connections
    other = Database(create_engine(settings.database_url))
    try:
        # when
        results = await asyncio.gather(
            remind_unread_referrals(db, settings, today=TODAY),
            remind_unread_referrals(other, settings, today=TODAY),
        )
    finally:
        await other.dispose()
    # then: two users, two reminders, two emails
    assert sum(results) == 2
    assert len(await _reminders(db)) == 2
    assert await _emails(db) == 2


async def test_a_user_who_read_the_referral_notification_is_not_reminded(
    received, db, settings, client
):
    # given
    _caseworker, provider, user, _referral = received
    await client.data(MARK_READ, token=provider.admin.token)
    # when
    await remind_unread_referrals(db, settings, today=TODAY)
    # then
    assert [r.user_id for r in await _reminders(db)] == [user.user_id]


@pytest.mark.parametrize("what", ["withdrawn", "declined"])
async def test_a_referral_withdrawn_or_declined_needs_no_reminder(
    received, db, settings, client, what
):
    # given
    caseworker, provider, _user, referral = received
    if what == "withdrawn":
        await client.data(WITHDRAW, {"id": referral}, token=caseworker.token)
    else:
        await client.data(DECLINE, {"id": referral}, token=provider.admin.token)
    # when
    reminded = await remind_unread_referrals(db, settings, today=TODAY)
    # then
    assert reminded == 0
    assert await _reminders(db) == []


async def test_users_without_unread_referrals_are_not_reminded(people: People, db, settings):
    # given: a provider that received nothing
    await provider_with_homes(people, HomeSpec())
    # when
    reminded = await remind_unread_referrals(db, settings, today=TODAY)
    # then
    assert reminded == 0
    assert await _reminders(db) == []


def test_the_scheduler_sends_the_reminder_sweep_daily_at_8_london_time():
    # given
    [sweep] = [s for s in SWEEPS if s.name == "reminders"]
    # then
    assert sweep.actor_name in ACTORS
    fields = {f.name: str(f) for f in sweep.trigger.fields}
    assert (fields["hour"], fields["minute"]) == ("8", "0")
    assert str(sweep.trigger.timezone) == "Europe/London"


def test_a_reminder_tick_only_enqueues_its_sweep(settings):
    # given
    broker = configure_broker(settings.model_copy(update={"redis_url": None}))
    # when
    tick("sweep_reminders")
    # then
    assert broker.queues["sweeps"].qsize() == 1

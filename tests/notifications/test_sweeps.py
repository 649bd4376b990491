"""Periodic sweeps: DOCUMENT_EXPIRING once per document (also with two sweeps at once), the
scheduler's jobs, and the background work running inside ``portal serve`` without Redis."""

from __future__ import annotations

import asyncio
import uuid
from datetime import date, timedelta

import pytest
from apscheduler.schedulers.background import BackgroundScheduler
from asgi_lifespan import LifespanManager
from sqlalchemy import func, select

from core.db import Database, create_engine
from core.identity.roles import OrganisationKind, Role
from core.jobs.broker import configure_broker
from core.jobs.scheduler import SWEEPS, add_sweeps, tick
from core.models import Document, Notification, OutboxEmail
from core.models.base import utcnow
from core.notifications.expiry import warn_expiring_documents
from core.settings import Settings
from schema.app import create_app
from tests.notifications.helpers import SmtpHandler, notify_users, smtp_server, wait_until

TODAY = date(2026, 3, 1)


async def _provider(people):  # type: ignore[no-untyped-def]
    provider = await people.organisation(OrganisationKind.PROVIDER)
    admin = await people.account(provider, Role.PROVIDER_ADMIN, Role.PROVIDER_USER)
    user = await people.account(provider, Role.PROVIDER_USER)
    return provider, admin, user


async def _document(
    db: Database,
    organisation_id: uuid.UUID,
    expires_on: date | None,
    *,
    kind: str = "INSURANCE",
    uploaded_days_ago: int = 100,
) -> uuid.UUID:
    async with db.transaction() as session:
        document = Document(
            id=uuid.uuid4(),
            organisation_id=organisation_id,
            kind=kind,
            name=f"{kind.lower()}.pdf",
            content_type="application/pdf",
            size=100,
            sha256="0" * 64,
            storage_key="x",
            expires_on=expires_on,
            uploaded_at=utcnow() - timedelta(days=uploaded_days_ago),
        )
        session.add(document)
    return document.id


async def _warnings(db: Database) -> list[Notification]:
    async with db.session() as session:
        return list(
            await session.scalars(
                select(Notification).where(Notification.kind == "DOCUMENT_EXPIRING")
            )
        )


async def _emails(db: Database) -> int:
    async with db.session() as session:
        return int(
            await session.scalar(
                select(func.count()).where(OutboxEmail.kind == "DOCUMENT_EXPIRING")
            )
            or 0
        )


async def test_admins_are_warned_30_days_before_a_document_expires(people, db, settings):
    # given
    provider, admin, _user = await _provider(people)
    document = await _document(db, provider, TODAY + timedelta(days=30))
    # when
    warned = await warn_expiring_documents(db, settings, today=TODAY)
    # then
    [warning] = await _warnings(db)
    assert warned == 1
    assert warning.user_id == admin.user_id
    assert (warning.subject_type, warning.subject_key) == ("Document", document)
    assert "31 March 2026" in warning.message
    assert await _emails(db) == 1


async def test_a_document_is_warned_of_once(people, db, settings):
    # given
    provider, _, _ = await _provider(people)
    await _document(db, provider, TODAY + timedelta(days=10))
    await warn_expiring_documents(db, settings, today=TODAY)
    # when
    again = await warn_expiring_documents(db, settings, today=TODAY + timedelta(days=1))
    # then
    assert again == 0
    assert len(await _warnings(db)) == 1


async def test_two_sweeps_at_once_warn_once(people, db, settings):
    # given: two schedulers by mistake, each with its own connections
    provider, _, _ = await _provider(people)
    await people.account(provider, Role.PROVIDER_ADMIN)
    for days in (5, 20):
        await _document(
            db,
            provider,
            TODAY + timedelta(days=days),
            kind="OFSTED_CERTIFICATE" if days == 5 else "INSURANCE",
        )
    other = Database(create_engine(settings.database_url))
    try:
        # when
        results = await asyncio.gather(
            warn_expiring_documents(db, settings, today=TODAY),
            warn_expiring_documents(other, settings, today=TODAY),
        )
    finally:
        await other.dispose()
    # then: two documents, two admins: four notifications, four emails
    assert sum(results) == 2
    assert len(await _warnings(db)) == 4
    assert await _emails(db) == 4


@pytest.mark.parametrize(
    ("expires_in", "kind"),
    [(31, "INSURANCE"), (-1, "INSURANCE"), (None, "INSURANCE"), (10, "REGISTRATION_SPREADSHEET")],
    ids=["later", "already-expired", "no-expiry", "not-a-profile-document"],
)
async def test_documents_not_due_are_not_warned_of(people, db, settings, expires_in, kind):
    # given
    provider, _, _ = await _provider(people)
    expires = TODAY + timedelta(days=expires_in) if expires_in is not None else None
    await _document(db, provider, expires, kind=kind)
    # when
    warned = await warn_expiring_documents(db, settings, today=TODAY)
    # then
    assert warned == 0


async def test_a_renewed_document_is_not_warned_of(people, db, settings):
    # given: the certificate expiring soon was replaced by one that expires next year
    provider, _, _ = await _provider(people)
    await _document(db, provider, TODAY + timedelta(days=10), uploaded_days_ago=300)
    await _document(db, provider, TODAY + timedelta(days=375), uploaded_days_ago=2)
    # when
    warned = await warn_expiring_documents(db, settings, today=TODAY)
    # then
    assert warned == 0


def test_the_scheduler_runs_each_sweep_coalesced_one_at_a_time(settings):
    # given
    scheduler = BackgroundScheduler()
    # when
    add_sweeps(scheduler)
    # then
    jobs = {job.id: job for job in scheduler.get_jobs()}
    assert set(jobs) == {s.name for s in SWEEPS} >= {"outbox", "document-expiry"}
    for job in jobs.values():
        assert job.coalesce is True
        assert job.max_instances == 1


def test_a_tick_only_enqueues_its_sweep(settings):
    # given
    broker = configure_broker(settings.model_copy(update={"redis_url": None}))
    # when
    tick("sweep_document_expiry")
    # then
    assert broker.queues["sweeps"].qsize() == 1


async def test_portal_serve_without_redis_sends_email_in_process(people, settings, registry):
    # given: the app as `portal serve` starts it, with no Redis and an SMTP server
    handler = SmtpHandler()
    with smtp_server(handler) as smtp_url:
        serve_settings: Settings = settings.model_copy(
            update={"redis_url": None, "smtp_url": smtp_url}
        )
        app = create_app(serve_settings, registry=registry, background=True)
        provider = await people.organisation(OrganisationKind.PROVIDER)
        person = await people.account(provider, Role.PROVIDER_USER)
        async with LifespanManager(app):
            db = app.state.db
            # when
            await notify_users(db, serve_settings, person.user_id, message="in-process")

            async def delivered() -> bool:
                return len(handler.message_ids()) == 1

            await wait_until(delivered, what="the in-process worker to send the email")
    # then
    assert "in-process" in handler.accepted[0].get_payload()

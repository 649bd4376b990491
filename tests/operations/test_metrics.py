import uuid

import httpx
from asgi_lifespan import LifespanManager

from core.db import Database
from core.identity.roles import OrganisationKind
from core.notifications.delivery import deliver_due
from core.notifications.outbox import PendingEmail, queue_email
from core.settings import Settings
from schema.app import create_app
from tests.graphql_client import GraphQLClient
from tests.operations.conftest import METRICS_TOKEN
from tests.operations.metrics import scrape, value
from tests.people import People

VIEWER = "query Viewer { viewer { id } }"
LOGIN = """
mutation SignIn($email: String!, $password: String!) {
  login(input: {email: $email, password: $password}) { challenge userErrors { field message code } }
}"""

NAMED = (
    "portal_graphql_requests_total",
    "portal_graphql_request_duration_seconds_bucket",
    "portal_http_requests_total",
    "portal_db_pool_connections_in_use",
    "portal_db_pool_waits_total",
    "portal_outbox_backlog",
    "portal_outbox_oldest_due_age_seconds",
    "portal_webhook_backlog",
    "portal_dramatiq_queue_depth",
    "portal_live_subscriptions",
    "portal_login_failures_total",
    "portal_account_lockouts_total",
    "portal_emails_sent_total",
)


class _Accepting:
    """A mailer whose server accepts everything."""

    def __init__(self) -> None:
        self.sent: list[PendingEmail] = []

    async def send(self, email: PendingEmail) -> None:
        self.sent.append(email)

    async def close(self) -> None:
        pass


async def test_metrics_are_not_served_when_no_token_is_configured(
    settings: Settings, registry
) -> None:
    # given an app without PORTAL_METRICS_TOKEN
    app = create_app(settings.model_copy(update={"metrics_token": None}), registry=registry)
    async with LifespanManager(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://t") as http:
            # when
            response = await http.get("/metrics", headers={"Authorization": "Bearer anything"})
    # then
    assert response.status_code == 404


async def test_metrics_need_the_bearer_token(http: httpx.AsyncClient) -> None:
    assert (await http.get("/metrics")).status_code == 401
    wrong = await http.get("/metrics", headers={"Authorization": "Bearer not-the-token-at-all"})
    assert wrong.status_code == 401
    right = await http.get("/metrics", headers={"Authorization": f"Bearer {METRICS_TOKEN}"})
    assert right.status_code == 200
    assert right.headers["content-type"].startswith("text/plain")


async def test_every_named_metric_appears(http: httpx.AsyncClient, client: GraphQLClient) -> None:
    # given one request and one failed login, so the labelled families have a sample
    await client.data(VIEWER, token="")
    await client.data(LOGIN, {"email": "nobody@example.org", "password": "wrong"}, token="")
    # when
    samples = await scrape(http)
    # then
    names = {name for name, _ in samples}
    assert [name for name in NAMED if name not in names] == []
    assert value(samples, "portal_dramatiq_queue_depth", queue="outbox") >= 0


async def test_a_request_moves_its_operation_counter_and_latency(
    http: httpx.AsyncClient, client: GraphQLClient
) -> None:
    # given
    before = await scrape(http)
    # when
    await client.data(VIEWER, token="")
    # then
    after = await scrape(http)
    labels = {"operation": "Viewer", "outcome": "ok"}
    assert value(after, "portal_graphql_requests_total", **labels) == (
        value(before, "portal_graphql_requests_total", **labels) + 1
    )
    count = "portal_graphql_request_duration_seconds_count"
    assert value(after, count, operation="Viewer") == value(before, count, operation="Viewer") + 1


async def test_a_request_with_errors_counts_as_errors(
    http: httpx.AsyncClient, client: GraphQLClient
) -> None:
    before = await scrape(http)
    await client.execute("query Broken { noSuchField }", token="")
    after = await scrape(http)
    labels = {"operation": "Broken", "outcome": "errors"}
    assert value(after, "portal_graphql_requests_total", **labels) == (
        value(before, "portal_graphql_requests_total", **labels) + 1
    )


async def test_a_failed_login_moves_the_failure_counter(
    http: httpx.AsyncClient, client: GraphQLClient, people: People
) -> None:
    # given an account
    organisation = await people.organisation(OrganisationKind.PROVIDER)
    person = await people.account(organisation)
    before = await scrape(http)
    # when the wrong password is given
    result = await client.data(LOGIN, {"email": person.email, "password": "not it"}, token="")
    # then
    assert result["login"]["userErrors"]
    after = await scrape(http)
    failures = "portal_login_failures_total"
    assert (
        value(after, failures, reason="password") == value(before, failures, reason="password") + 1
    )


async def test_a_lockout_moves_the_lockout_counter(
    http: httpx.AsyncClient, client: GraphQLClient, people: People
) -> None:
    organisation = await people.organisation(OrganisationKind.PROVIDER)
    person = await people.account(organisation)
    before = await scrape(http)
    for _ in range(5):
        await client.data(LOGIN, {"email": person.email, "password": "not it"}, token="")
    after = await scrape(http)
    lockouts = "portal_account_lockouts_total"
    assert value(after, lockouts) == value(before, lockouts) + 1


async def test_an_email_queued_then_sent_moves_the_backlog_and_the_sent_counter(
    http: httpx.AsyncClient, db: Database, settings: Settings
) -> None:
    # given an empty outbox
    before = await scrape(http)
    assert value(before, "portal_outbox_backlog") == 0
    # when an email is queued
    async with db.transaction() as session:
        queue_email(
            session,
            recipient=f"{uuid.uuid4().hex[:8]}@example.org",
            subject="Hello",
            body="Hello.",
            kind="INVITATION",
            mail_domain="portal.test",
        )
    queued = await scrape(http)
    # then it is in the backlog
    assert value(queued, "portal_outbox_backlog") == 1
    # when it is sent
    mailer = _Accepting()
    report = await deliver_due(db, settings, mailer=mailer)
    assert report.sent == 1
    sent = await scrape(http)
    # then the backlog is empty and the counter moved
    assert value(sent, "portal_outbox_backlog") == 0
    assert value(sent, "portal_outbox_oldest_due_age_seconds") == 0
    assert value(sent, "portal_emails_sent_total") == value(before, "portal_emails_sent_total") + 1

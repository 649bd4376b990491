"""The managing LA's decisions, the review list and what providers are told."""

from __future__ import annotations

import uuid

import pytest
from sqlalchemy import func, select

from core.db import Database
from core.documents.storage import document_store
from core.identity.roles import Role
from core.models import Home, Notification, OutboxEmail
from core.querycount import count_queries
from core.settings import Settings
from schema.node import encode_id
from tests.identity.world import World
from tests.registration.helpers import (
    UPLOAD_SPREADSHEET,
    fill,
    home,
    registered_provider,
    template,
    upload_data,
)

DECISION = """
mutation ($id: ID!, $reason: String) {{
  {name}(input: {{id: $id, reason: $reason}}) {{
    registration {{ id status decidedAt decisionReason }}
    userErrors {{ field message code }}
  }}
}}"""
APPROVE = DECISION.format(name="approveRegistration")
REJECT = DECISION.format(name="rejectRegistration")
OPEN = DECISION.format(name="openRegistrationForEditing")

REGISTRATIONS = """
query ($status: RegistrationStatus) {
  registrations(status: $status) { id status organisation { name } managingLocalAuthority { name } }
}"""


async def _submitted(world: World, homes: list[dict[str, object]] | None = None) -> str:
    """The world's provider (managed by Birmingham) submits a valid spreadsheet."""
    await world.org("la")
    data = fill(await template(world.client.http), homes=homes or [home()])
    token = await world.token("provider_admin")
    result = (
        await upload_data(
            world.client.http, UPLOAD_SPREADSHEET, {}, filename="r.xlsx", data=data, token=token
        )
    )["uploadRegistrationSpreadsheet"]
    assert result["userErrors"] == []
    return result["registration"]["id"]


async def _decide(world: World, operation: str, who: str, registration: str, reason=None):
    body = await world.client.data(
        operation, {"id": registration, "reason": reason}, token=await world.token(who)
    )
    return next(iter(body.values()))


@pytest.mark.parametrize("who", ["la_admin", "platform_admin"])
async def test_the_managing_la_admin_or_the_platform_approves(world: World, who: str) -> None:
    # given
    registration = await _submitted(world)

    # when
    result = await _decide(world, APPROVE, who, registration)

    # then
    assert result["userErrors"] == []
    assert result["registration"]["status"] == "APPROVED"
    assert result["registration"]["decidedAt"]


async def test_an_approved_registration_shows_approved_to_the_provider(world: World) -> None:
    # given
    registration = await _submitted(world)
    await _decide(world, APPROVE, "la_admin", registration)

    # when
    view = await world.client.data(
        "{ viewer { organisation { registration { status } } } }",
        token=await world.token("provider_user"),
    )

    # then
    assert view["viewer"]["organisation"]["registration"]["status"] == "APPROVED"


async def test_another_las_admin_gets_not_found(world: World) -> None:
    # given
    registration = await _submitted(world)

    # when
    result = await _decide(world, APPROVE, "other_la_admin", registration)

    # then
    (error,) = result["userErrors"]
    assert error["code"] == "NOT_FOUND"
    assert result["registration"] is None


async def test_rejecting_needs_a_reason(world: World) -> None:
    # given
    registration = await _submitted(world)

    # when
    result = await _decide(world, REJECT, "la_admin", registration, reason="  ")

    # then
    (error,) = result["userErrors"]
    assert (error["field"], error["code"]) == (["input", "reason"], "INVALID")


async def test_a_rejection_keeps_its_reason(world: World) -> None:
    # given
    registration = await _submitted(world)

    # when
    result = await _decide(world, REJECT, "la_admin", registration, reason="No Ofsted URN for Oak")

    # then
    assert result["registration"]["status"] == "REJECTED"
    assert result["registration"]["decisionReason"] == "No Ofsted URN for Oak"


@pytest.mark.parametrize(
    ("first", "then"),
    [(APPROVE, APPROVE), (APPROVE, REJECT), (REJECT, APPROVE)],
)
async def test_a_decided_registration_cannot_be_decided_again(
    world: World, first: str, then: str
) -> None:
    # given
    registration = await _submitted(world)
    await _decide(world, first, "la_admin", registration, reason="reason")

    # when
    result = await _decide(world, then, "la_admin", registration, reason="reason")

    # then
    (error,) = result["userErrors"]
    assert error["code"] == "INVALID_STATE"


async def test_a_not_submitted_registration_cannot_be_approved(world: World) -> None:
    # given
    view = await world.client.data(
        "{ viewer { organisation { registration { id } } } }",
        token=await world.token("provider_admin"),
    )
    registration = view["viewer"]["organisation"]["registration"]["id"]

    # when
    result = await _decide(world, APPROVE, "la_admin", registration)

    # then
    assert result["userErrors"][0]["code"] == "INVALID_STATE"


async def test_opened_for_editing_the_provider_uploads_again_and_old_homes_are_retired(
    world: World, db: Database
) -> None:
    # given
    registration = await _submitted(world, [home(home_name="Oak"), home(home_name="Ash")])
    await _decide(world, APPROVE, "la_admin", registration)
    opened = await _decide(world, OPEN, "la_admin", registration)
    assert opened["registration"]["status"] == "OPEN_FOR_EDITING"

    # when
    await _submitted(world, [home(home_name="Birch")])

    # then
    view = await world.client.data(
        "{ viewer { organisation { registration { status homes { name } } } } }",
        token=await world.token("provider_admin"),
    )
    assert view["viewer"]["organisation"]["registration"] == {
        "status": "PENDING_APPROVAL",
        "homes": [{"name": "Birch"}],
    }
    async with db.session() as session:
        retired = list(await session.scalars(select(Home.name).where(Home.retired_at.is_not(None))))
    assert sorted(retired) == ["Ash", "Oak"]


@pytest.mark.parametrize(
    ("operation", "reason", "words"),
    [
        (APPROVE, None, "approved"),
        (REJECT, "Missing homes", "rejected"),
        (OPEN, None, "opened for editing"),
    ],
)
async def test_the_providers_admins_are_notified_of_a_decision_with_an_email(
    world: World, db: Database, operation: str, reason: str | None, words: str
) -> None:
    # given
    registration = await _submitted(world)
    admin = await world.person("provider_admin")
    user = await world.person("provider_user")
    if operation is OPEN:
        await _decide(world, REJECT, "la_admin", registration, reason="first")
        async with db.transaction() as session:
            await session.execute(Notification.__table__.delete())
            await session.execute(OutboxEmail.__table__.delete())

    # when
    await _decide(world, operation, "la_admin", registration, reason=reason)

    # then
    async with db.session() as session:
        notifications = list(await session.scalars(select(Notification)))
        emails = list(await session.scalars(select(OutboxEmail)))
    assert [n.user_id for n in notifications] == [admin.user_id]
    assert user.user_id not in [n.user_id for n in notifications]
    (notification,) = notifications
    assert notification.kind == "REGISTRATION_DECIDED"
    assert words in notification.message
    assert "Birmingham" in notification.message
    assert notification.subject_type == "ProviderRegistration"
    (email,) = emails
    assert email.recipient == admin.email
    assert email.notification_id == notification.id
    if reason:
        assert reason in email.body


@pytest.mark.parametrize(
    ("who", "sees"),
    [
        ("la_admin", ["Acorn Care"]),
        ("other_la_admin", ["Birch Homes"]),
        ("platform_admin", ["Acorn Care", "Birch Homes"]),
        ("caseworker", []),
        ("provider_admin", []),
        ("nobody", []),
    ],
)
async def test_registrations_lists_what_the_viewer_reviews(
    world: World, db: Database, settings: Settings, who: str, sees: list[str]
) -> None:
    # given
    await _submitted(world)
    other_la = await world.org("other_la")
    other = await world.org("other_provider")
    from core.registration.service import registration_of

    await registration_of(db, other)
    token = await world.token(who)
    del other_la

    # when
    body = await world.client.data(REGISTRATIONS, token=token)

    # then
    assert sorted(r["organisation"]["name"] for r in body["registrations"]) == sees


async def test_registrations_filters_by_status(world: World) -> None:
    # given
    await _submitted(world)

    # when
    pending = await world.client.data(
        REGISTRATIONS, {"status": "PENDING_APPROVAL"}, token=await world.token("la_admin")
    )
    approved = await world.client.data(
        REGISTRATIONS, {"status": "APPROVED"}, token=await world.token("la_admin")
    )

    # then
    assert [r["status"] for r in pending["registrations"]] == ["PENDING_APPROVAL"]
    assert pending["registrations"][0]["managingLocalAuthority"] == {"name": "Birmingham"}
    assert approved["registrations"] == []


REVIEW = """
{ registrations { id homes { name provider { name } } spreadsheet { name } managingLocalAuthority { name } } }
"""


async def _cost(world: World, db: Database, settings: Settings, la: uuid.UUID, n: int) -> int:
    store = document_store(settings)
    for number in range(n):
        await registered_provider(db, store, name=f"Provider {number}", managing_la=la, homes=3)
    token = await world.token("la_admin")
    with count_queries() as counter:
        body = await world.client.data(REVIEW, token=token)
    assert len(body["registrations"]) == n
    assert all(len(r["homes"]) == 3 for r in body["registrations"])
    return counter.count


async def test_the_review_list_costs_the_same_for_2_and_10_registrations(
    world: World, db: Database, settings: Settings
) -> None:
    # given
    la = await world.org("la")
    two = await _cost(world, db, settings, la, 2)
    async with db.transaction() as session:
        from core.models import Organisation

        await session.execute(
            Organisation.__table__.delete().where(Organisation.kind == "PROVIDER")
        )

    # when
    ten = await _cost(world, db, settings, la, 10)

    # then
    assert ten == two
    assert two <= 8


async def test_signatory_only_people_do_not_see_the_registration(world: World) -> None:
    # given
    await _submitted(world)
    provider = await world.org("provider")
    signatory = await world.people.signed_in(provider, Role.PROVIDER_SIGNATORY)

    # when
    body = await world.client.data(
        "query ($id: ID!) { node(id: $id) { ... on Organisation { registration { id } } } }",
        {"id": encode_id("Organisation", provider)},
        token=signatory.token,
    )

    # then
    assert body["node"]["registration"] is None


async def test_the_count_of_homes_never_shrinks_when_they_are_replaced(
    world: World, db: Database
) -> None:
    # given
    registration = await _submitted(world, [home(home_name="A"), home(home_name="B")])
    await _decide(world, OPEN, "la_admin", registration)

    # when
    await _submitted(world, [home(home_name="C")])

    # then
    async with db.session() as session:
        assert await session.scalar(select(func.count()).select_from(Home)) == 3

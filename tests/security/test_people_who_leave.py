"""Finding 7: a person who left can be removed; sessions end when idle; API tokens expire,
are listed and can be revoked (contract section 15)."""

from __future__ import annotations

import asyncio
from datetime import timedelta

from sqlalchemy import update

from core.models import ApiToken, UserSession
from core.models.base import utcnow
from tests.identity.world import World
from tests.notifications.conftest import portal  # noqa: F401  (the fixture)
from tests.notifications.helpers import gql_subscriber, served, wait_until
from tests.people import LOGIN, PASSWORD

ERRORS = "userErrors { field message code }"
DEACTIVATE = f"""
mutation ($id: ID!) {{ deactivateUser(input: {{userId: $id}}) {{ user {{ id active }} {ERRORS} }} }}
"""
REACTIVATE = f"""
mutation ($id: ID!) {{ reactivateUser(input: {{userId: $id}}) {{ user {{ id active }} {ERRORS} }} }}
"""
VIEWER = "query { viewer { id active } }"
CREATE_TOKEN = f"""
mutation ($name: String!, $days: Int) {{
  createApiToken(input: {{name: $name, expiresInDays: $days}}) {{
    token apiToken {{ id expiresAt }} {ERRORS}
  }}
}}"""
TOKENS = "query { apiTokens { id name expiresAt } }"
REVOKE_TOKEN = f"mutation ($id: ID!) {{ revokeApiToken(input: {{id: $id}}) {{ {ERRORS} }} }}"
REFERRALS = "query { referrals { totalCount } }"


async def test_an_la_admin_deactivates_a_caseworker_who_is_signed_out_at_once(
    world: World,
) -> None:
    # given
    caseworker = await world.person("caseworker")
    admin = await world.person("la_admin")

    # when
    data = await world.client.data(DEACTIVATE, {"id": caseworker.id}, token=admin.token)
    viewer = await world.client.data(VIEWER, token=caseworker.token)
    login = await world.client.data(
        LOGIN, {"email": caseworker.email, "password": PASSWORD}, token=""
    )

    # then
    assert data["deactivateUser"] == {
        "user": {"id": caseworker.id, "active": False},
        "userErrors": [],
    }
    assert viewer["viewer"] is None
    assert login["login"]["challenge"] is None


async def test_a_reactivated_person_signs_in_again(world: World) -> None:
    # given
    caseworker = await world.person("caseworker")
    admin = await world.person("la_admin")
    await world.client.data(DEACTIVATE, {"id": caseworker.id}, token=admin.token)

    # when
    data = await world.client.data(REACTIVATE, {"id": caseworker.id}, token=admin.token)
    again = await world.people.sign_in(caseworker)

    # then
    assert data["reactivateUser"]["user"]["active"] is True
    viewer = await world.client.data(VIEWER, token=again.token)
    assert viewer["viewer"] == {"id": caseworker.id, "active": True}


async def test_an_admin_of_another_organisation_cannot_deactivate_a_person(world: World) -> None:
    # given
    caseworker = await world.person("caseworker")

    # when
    data = await world.client.data(
        DEACTIVATE, {"id": caseworker.id}, token=await world.token("other_la_admin")
    )

    # then
    assert [e["code"] for e in data["deactivateUser"]["userErrors"]] == ["NOT_FOUND"]


async def test_the_platform_cannot_deactivate_an_organisations_last_administrator(
    world: World,
) -> None:
    # given
    admin = await world.person("la_admin")

    # when
    data = await world.client.data(
        DEACTIVATE, {"id": admin.id}, token=await world.token("platform_admin")
    )

    # then
    assert data["deactivateUser"]["user"] is None
    assert [(e["field"], e["code"]) for e in data["deactivateUser"]["userErrors"]] == [
        (["input", "userId"], "INVALID_STATE")
    ]


async def test_deactivation_ends_an_open_subscription_at_once(
    world: World,
    portal,  # noqa: F811
) -> None:
    # given a provider user subscribed to notifications
    person = await world.person("provider_user")
    admin = await world.person("provider_admin")
    async with served(portal) as url, gql_subscriber(url, token=person.token) as subscriber:

        async def subscribed() -> bool:
            return portal.state.realtime.subscriber_count(person.user_id) > 0

        await wait_until(subscribed, within=5, what="the subscription to be registered")

        # when
        await world.client.data(DEACTIVATE, {"id": person.id}, token=admin.token)

        # then it ends well before the one-minute recheck
        await asyncio.wait_for(asyncio.shield(subscriber.task), timeout=5.0)


async def test_a_session_idle_longer_than_the_setting_has_ended(world: World, settings) -> None:
    # given a session last used longer ago than the idle timeout
    caseworker = await world.person("caseworker")
    long_ago = utcnow() - settings.session_idle - timedelta(minutes=1)
    async with world.people.db.transaction() as session:
        await session.execute(
            update(UserSession)
            .where(UserSession.user_id == caseworker.user_id)
            .values(last_seen_at=long_ago, created_at=long_ago)
        )

    # when
    viewer = await world.client.data(VIEWER, token=caseworker.token)

    # then
    assert viewer["viewer"] is None


async def test_an_api_token_expires_after_the_days_asked_for(world: World) -> None:
    # given
    admin = await world.person("la_admin")

    # when
    data = (
        await world.client.data(
            CREATE_TOKEN, {"name": "Case system", "days": 30}, token=admin.token
        )
    )["createApiToken"]

    # then
    assert data["userErrors"] == []
    from datetime import datetime

    expires = datetime.fromisoformat(data["apiToken"]["expiresAt"])
    expected = utcnow() + timedelta(days=30)
    assert abs((expires.replace(tzinfo=None) - expected.replace(tzinfo=None)).total_seconds()) < 120


async def test_an_api_token_cannot_outlive_the_cap(world: World, settings) -> None:
    # when
    data = await world.client.data(
        CREATE_TOKEN,
        {"name": "Case system", "days": settings.api_token_max_days + 1},
        token=await world.token("la_admin"),
    )

    # then
    (error,) = data["createApiToken"]["userErrors"]
    assert error["field"] == ["input", "expiresInDays"]


async def test_an_expired_api_token_acts_for_nobody(world: World) -> None:
    # given
    admin = await world.person("la_admin")
    created = (await world.client.data(CREATE_TOKEN, {"name": "Old"}, token=admin.token))[
        "createApiToken"
    ]
    async with world.people.db.transaction() as session:
        await session.execute(update(ApiToken).values(expires_at=utcnow() - timedelta(seconds=1)))

    # when
    body = await world.client.execute(REFERRALS, token=created["token"])

    # then
    assert body["data"]["referrals"]["totalCount"] == 0


async def test_an_la_admin_lists_its_tokens_and_revokes_one_whose_id_was_lost(
    world: World,
) -> None:
    # given a token of this LA and one of another
    admin = await world.person("la_admin")
    ours = (await world.client.data(CREATE_TOKEN, {"name": "Ours"}, token=admin.token))[
        "createApiToken"
    ]["apiToken"]
    await world.client.data(
        CREATE_TOKEN, {"name": "Theirs"}, token=await world.token("other_la_admin")
    )

    # when
    listed = (await world.client.data(TOKENS, token=admin.token))["apiTokens"]
    revoked = await world.client.data(REVOKE_TOKEN, {"id": listed[0]["id"]}, token=admin.token)
    after = (await world.client.data(TOKENS, token=admin.token))["apiTokens"]

    # then
    assert [(t["id"], t["name"]) for t in listed] == [(ours["id"], "Ours")]
    assert revoked["revokeApiToken"]["userErrors"] == []
    assert after == []


async def test_a_caseworker_lists_no_tokens(world: World) -> None:
    # given
    await world.client.data(CREATE_TOKEN, {"name": "Ours"}, token=await world.token("la_admin"))

    # when
    listed = await world.client.data(TOKENS, token=await world.token("caseworker"))

    # then
    assert listed["apiTokens"] == []

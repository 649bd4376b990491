"""Sign-in without Redis: the login limiter falls back to this process's memory, still limits,
and the outage is logged once (not a traceback per attempt)."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator

import httpx
import pytest
from asgi_lifespan import LifespanManager

from core.identity.roles import OrganisationKind, Role
from core.settings import Settings
from schema.app import create_app
from tests.graphql_client import GraphQLClient
from tests.notifications.helpers import free_port
from tests.people import LOGIN, PASSWORD, People


@pytest.fixture
def unreachable_redis_settings(settings: Settings) -> Settings:
    """Settings naming a Redis that nothing listens on (a free loopback port)."""
    return settings.model_copy(
        update={"redis_url": f"redis://127.0.0.1:{free_port()}/0", "login_rate_limit": "5/minute"}
    )


@pytest.fixture
async def client_without_redis(
    unreachable_redis_settings: Settings, registry
) -> AsyncIterator[GraphQLClient]:
    app = create_app(unreachable_redis_settings, registry=registry)
    async with LifespanManager(app) as manager:
        transport = httpx.ASGITransport(app=manager.app, client=("127.0.0.1", 51000))
        async with httpx.AsyncClient(transport=transport, base_url="http://127.0.0.1:8000") as http:
            yield GraphQLClient(http)


async def test_sign_in_works_while_redis_cannot_be_reached(
    people: People, client_without_redis: GraphQLClient, caplog
) -> None:
    # given a Redis that does not answer
    person = await people.account(
        await people.organisation(OrganisationKind.PROVIDER), Role.PROVIDER_USER
    )
    # when
    with caplog.at_level(logging.INFO):
        login = (
            await client_without_redis.data(LOGIN, {"email": person.email, "password": PASSWORD})
        )["login"]
    # then: a challenge, and one warning about Redis, without a traceback
    assert login["challenge"] and login["nextStep"] == "ENROL_TOTP", login
    warnings = [r for r in caplog.records if r.name == "portal.outages"]
    assert len(warnings) == 1 and warnings[0].levelno == logging.WARNING
    assert "sign-in attempts" in warnings[0].getMessage() and not warnings[0].exc_info


async def test_sign_in_attempts_are_still_limited_while_redis_cannot_be_reached(
    people: People, client_without_redis: GraphQLClient, caplog
) -> None:
    # given a limit of 5 attempts a minute, and a Redis that does not answer
    person = await people.account(
        await people.organisation(OrganisationKind.PROVIDER), Role.PROVIDER_USER
    )
    # when six attempts are made
    codes = []
    with caplog.at_level(logging.INFO):
        for _ in range(6):
            body = await client_without_redis.execute(
                LOGIN, {"email": person.email, "password": "not the password"}
            )
            assert not body.get("errors"), body
            codes.append([e["code"] for e in body["data"]["login"]["userErrors"]])
    # then the sixth is refused, and the log has one line about Redis
    assert codes[-1] == ["RATE_LIMITED"] and "RATE_LIMITED" not in codes[0]
    assert len([r for r in caplog.records if r.name == "portal.outages"]) == 1
    assert not [r for r in caplog.records if r.exc_info]

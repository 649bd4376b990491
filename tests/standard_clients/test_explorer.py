"""GraphiQL and introspection: from the portal's own origin; in production for signed-in
people and API tokens only, never anonymous callers; PORTAL_EXPLORER=false turns both off."""

from __future__ import annotations

import re

import pytest

from core.identity.roles import Role
from schema.view import SESSION_COOKIE
from tests.identity.world import CREATE_API_TOKEN
from tests.people import People
from tests.standard_clients.conftest import AppWith

INTROSPECT = "{ __schema { queryType { name } } }"
HTML = {"Accept": "text/html"}


async def test_in_production_an_anonymous_caller_cannot_introspect(portal_with: AppWith) -> None:
    async with portal_with(env="production") as client:
        # when
        body = await client.execute(INTROSPECT)
    # then
    assert "data" not in body
    assert "introspection" in body["errors"][0]["message"].lower()


async def test_in_production_a_signed_in_person_may_introspect(
    people: People, portal_with: AppWith
) -> None:
    # given
    person = await people.signed_in(await people.local_authority(), Role.LA_CASEWORKER)
    async with portal_with(env="production") as client:
        # when
        data = await client.data(INTROSPECT, token=person.token)
    # then
    assert data == {"__schema": {"queryType": {"name": "Query"}}}


async def test_in_production_an_api_token_may_introspect(
    people: People, client, portal_with: AppWith
) -> None:
    # given
    admin = await people.signed_in(await people.local_authority(), Role.LA_ADMIN)
    created = await client.data(CREATE_API_TOKEN, {"name": "Case system"}, token=admin.token)
    token = created["createApiToken"]["token"]
    async with portal_with(env="production") as production:
        # when
        data = await production.data(INTROSPECT, token=token)
    # then
    assert data["__schema"]["queryType"]["name"] == "Query"


async def test_in_production_introspection_run_again_is_still_decided_per_caller(
    people: People, portal_with: AppWith
) -> None:
    # given: the same document answered to a signed-in person, then to nobody, and again
    # (the second time each from its operation plan, schema/plans.py)
    person = await people.signed_in(await people.local_authority(), Role.LA_CASEWORKER)
    async with portal_with(env="production") as client:
        # when
        bodies = [
            await client.execute(INTROSPECT, token=token)
            for token in (person.token, "", person.token, "")
        ]
    # then
    allowed = {"data": {"__schema": {"queryType": {"name": "Query"}}}}
    assert [body == allowed for body in bodies] == [True, False, True, False]
    assert all("introspection" in body["errors"][0]["message"].lower() for body in bodies[1::2])


@pytest.mark.parametrize("env", ["production", "development"])
async def test_the_explorer_setting_turns_introspection_off_for_everyone(
    people: People, portal_with: AppWith, env: str
) -> None:
    # given
    person = await people.signed_in(await people.local_authority(), Role.LA_CASEWORKER)
    async with portal_with(env=env, explorer=False) as client:
        # when
        body = await client.execute(INTROSPECT, token=person.token)
        page = await client.http.get(
            "/graphql", headers={**HTML, "Cookie": f"{SESSION_COOKIE}={person.token}"}
        )
    # then
    assert "data" not in body
    assert page.status_code == 404


async def test_in_development_anyone_may_introspect(portal_with: AppWith) -> None:
    async with portal_with(env="development") as client:
        data = await client.data(INTROSPECT)
    assert data["__schema"]["queryType"]["name"] == "Query"


async def test_in_production_graphiql_is_not_served_to_an_anonymous_browser(
    portal_with: AppWith,
) -> None:
    async with portal_with(env="production") as client:
        page = await client.http.get("/graphql", headers=HTML)
    assert page.status_code == 404


async def test_in_production_graphiql_is_served_to_a_signed_in_browser(
    people: People, portal_with: AppWith
) -> None:
    # given
    person = await people.signed_in(await people.local_authority(), Role.LA_CASEWORKER)
    async with portal_with(env="production") as client:
        # when
        page = await client.http.get(
            "/graphql", headers={**HTML, "Cookie": f"{SESSION_COOKIE}={person.token}"}
        )
    # then
    assert page.status_code == 200
    assert 'id="graphiql"' in page.text


async def test_graphiql_loads_only_from_this_origin_under_a_strict_policy(http) -> None:
    # when
    page = await http.get("/graphql", headers=HTML)
    # then
    assert page.status_code == 200
    policy = page.headers["content-security-policy"]
    assert "default-src 'self'" in policy and "script-src 'self'" in policy
    assert "unsafe-inline" not in policy and "unsafe-eval" not in policy
    assert "http" not in policy
    sources = re.findall(r'(?:src|href)="([^"]+)"', page.text)
    assert sources and all(s.startswith("/graphiql/assets/") for s in sources)
    assert "<script>" not in page.text  # no inline script: the policy would block it


async def test_graphiqls_assets_are_cached_for_a_year_and_fingerprinted(http) -> None:
    # given
    page = await http.get("/graphql", headers=HTML)
    sources = re.findall(r'(?:src|href)="([^"]+)"', page.text)
    # when
    responses = [await http.get(source) for source in sources]
    stale = await http.get(re.sub(r"/assets/[^/]+/", "/assets/0123456789abcdef/", sources[0]))
    # then
    assert [r.status_code for r in responses] == [200] * len(sources)
    assert all("max-age=31536000" in r.headers["cache-control"] for r in responses)
    assert any(r.headers["content-type"].startswith("text/javascript") for r in responses)
    assert stale.status_code == 404

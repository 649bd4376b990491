"""Findings 11, 16 and 19: hostile request bodies get a 400 or an error, never a 500; no
suggestions in production; several operations need an operationName."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest

from schema.view import PortalGraphQL
from tests.identity.world import World
from tests.people import LOGIN
from tests.security.production import production_client

SIGN_UP = """
mutation ($input: SignUpProviderInput!) { signUpProvider(input: $input) { userErrors { field message code } } }
"""


async def test_a_deeply_nested_json_body_is_a_400(world: World) -> None:
    # given a 6 KB body nested 3,000 levels deep
    body = '{"query": "{ __typename }", "variables": {"a": ' + "[" * 3000 + "]" * 3000 + "}}"

    # when
    response = await world.client.http.post(
        "/graphql", content=body, headers={"Content-Type": "application/json"}
    )

    # then
    assert response.status_code == 400


@pytest.mark.parametrize(
    ("query", "variables"),
    [
        (LOGIN, {"email": "a\x00b@example.org", "password": "x\x00y"}),
        (
            'mutation { login(input: {email: "a\\u0000b@example.org", password: "p"}) { nextStep } }',
            {},
        ),
    ],
    ids=["in-variables", "in-the-document"],
)
async def test_a_nul_character_is_refused_without_an_internal_error(
    world: World, query: str, variables: dict
) -> None:
    # when
    response = await world.client.post(query, variables, token="")

    # then
    assert response.status_code in (200, 400)
    assert "Unexpected error" not in response.text
    if response.status_code == 200:
        assert "NUL" in response.json()["errors"][0]["message"]


async def test_a_nul_character_in_a_referral_is_refused_not_stored(world: World) -> None:
    # given
    from tests.referrals.operations import CREATE, referral_input

    variables = referral_input()
    variables["input"]["summary"] = "Needs \x00 a home"

    # when
    response = await world.client.post(CREATE, variables, token=await world.token("caseworker"))

    # then
    assert response.status_code == 400
    assert "Unexpected error" not in response.text


async def test_two_operations_without_an_operation_name_are_an_error(world: World) -> None:
    # when
    body = await world.client.post(
        "query A { __typename } mutation B { logout { userErrors { code } } }", token=""
    )

    # then
    assert body.status_code in (200, 400)
    errors = body.json()["errors"]
    assert "operation name" in errors[0]["message"].lower()
    assert body.json().get("data") is None


class TestProduction:
    @pytest.fixture
    async def production(
        self, database_url: str, registry, tmp_path: Path
    ) -> AsyncIterator[httpx.AsyncClient]:
        async with production_client(
            database_url, registry, tmp_path / "storage", client=("127.0.0.1", 51000)
        ) as http:
            yield http

    @pytest.mark.parametrize(
        "query",
        [
            '{ node(id: "x") { ... on Referal { id } } }',
            "query ($k: DocumentKnd) { __typename }",
            "{ referrals(firts: 1) { totalCount } }",
            "{ referrals(status: SENTT) { totalCount } }",
            'mutation { login(input: {emial: "a@b.c", password: "p"}) { nextStep } }',
            "{ referals { totalCount } }",
        ],
        ids=["type", "variable-type", "argument", "enum-value", "input-field", "field"],
    )
    async def test_production_suggests_nothing(
        self, production: httpx.AsyncClient, query: str
    ) -> None:
        # when
        response = await production.post("/graphql", json={"query": query})

        # then
        assert response.status_code in (200, 400)
        assert response.json()["errors"]
        assert "Did you mean" not in response.text


@pytest.mark.parametrize(
    ("body", "refused"),
    [
        (b'{"query": "{ a }", "variables": {"x": "a\\u0000b"}}', True),
        (b'{"query": "{ a }", "variables": {"a\\u0000": 1}}', True),
        ('{"query": "{ a }", "variables": {"x": ["\\u0000"]}}', True),
        (b'{"query": "{ a }", "variables": {"x": "a\\\\u0000b"}}', False),  # a backslash, no NUL
        (b'{"query": "{ a }", "variables": {"x": ' + b"[" * 40 + b"]" * 40 + b"}}", True),
        (b'{"query": "{ a }", "variables": {"x": ' + b"[" * 20 + b"]" * 20 + b"}}", False),
    ],
)
def test_the_body_is_refused_for_a_nul_anywhere_or_deep_nesting(
    body: str | bytes, refused: bool
) -> None:
    try:
        PortalGraphQL.decode_json(None, body)  # type: ignore[arg-type]  # uses no state
    except json.JSONDecodeError:
        assert refused
    else:
        assert not refused

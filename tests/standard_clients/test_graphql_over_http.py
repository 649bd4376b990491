"""GraphQL over HTTP as the spec and standard clients expect: media types and status codes,
subscriptions refused over HTTP, client errors never logged as the server's, the CSRF header
Apollo's upload clients send."""

from __future__ import annotations

import json
import logging

import httpx
import pytest

from core.identity.roles import Role
from schema.view import SESSION_COOKIE
from tests.people import People
from tests.registration.helpers import PDF, UPLOAD_DOCUMENT

GRAPHQL_RESPONSE = "application/graphql-response+json"
SUBSCRIBE = "subscription { notifications { id message } }"


def _post(http: httpx.AsyncClient, body: dict | str, accept: str | None) -> object:
    headers = {"content-type": "application/json"}
    if accept is not None:
        headers["accept"] = accept
    http.cookies.clear()
    if isinstance(body, str):
        return http.post("/graphql", content=body, headers=headers)
    return http.post("/graphql", json=body, headers=headers)


async def test_a_client_accepting_graphql_response_json_gets_it(http: httpx.AsyncClient) -> None:
    # when
    response = await _post(http, {"query": "{ __typename }"}, GRAPHQL_RESPONSE)
    # then
    assert response.status_code == 200
    assert response.headers["content-type"] == f"{GRAPHQL_RESPONSE}; charset=utf-8"
    assert response.json() == {"data": {"__typename": "Query"}}


@pytest.mark.parametrize("accept", [None, "*/*", "application/json"])
async def test_application_json_stays_the_default(http: httpx.AsyncClient, accept) -> None:
    # when
    response = await _post(http, {"query": "{ __typename }"}, accept)
    # then
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/json; charset=utf-8"


@pytest.mark.parametrize(
    "body",
    [
        {"query": "{ __typename"},
        {"query": "{ noSuchField }"},
        {"query": "query ($id: ID!) { node(id: $id) { id } }", "variables": {"id": None}},
    ],
    ids=["syntax", "validation", "variables"],
)
async def test_a_request_error_is_400_without_data_in_graphql_response_json(
    http: httpx.AsyncClient, body
) -> None:
    # when
    response = await _post(http, body, GRAPHQL_RESPONSE)
    # then
    assert response.status_code == 400
    assert response.headers["content-type"].startswith(GRAPHQL_RESPONSE)
    assert "data" not in response.json()
    assert response.json()["errors"]


async def test_a_request_error_is_200_in_application_json(http: httpx.AsyncClient) -> None:
    # when
    response = await _post(http, {"query": "{ noSuchField }"}, "application/json")
    # then
    assert response.status_code == 200
    assert "data" not in response.json()
    assert response.json()["errors"][0]["message"].startswith("Cannot query field 'noSuchField'")


async def test_a_field_error_keeps_data_and_a_2xx_status(http: httpx.AsyncClient) -> None:
    # given: a node id that does not decode is a field error, after execution began
    query = '{ node(id: "not-an-id") { id } }'
    # when
    response = await _post(http, {"query": query}, GRAPHQL_RESPONSE)
    # then
    assert response.status_code == 200
    assert "data" in response.json()


async def test_a_body_that_is_not_json_is_400(http: httpx.AsyncClient) -> None:
    # when
    response = await _post(http, '{ "not a JSON', GRAPHQL_RESPONSE)
    # then
    assert response.status_code == 400


@pytest.mark.parametrize("accept", ["application/json", GRAPHQL_RESPONSE])
async def test_a_subscription_over_post_gets_a_clear_error_and_no_error_log(
    http: httpx.AsyncClient, caplog: pytest.LogCaptureFixture, accept: str
) -> None:
    # given
    caplog.set_level(logging.DEBUG)
    # when
    response = await _post(http, {"query": SUBSCRIBE}, accept)
    # then
    assert response.status_code == (400 if accept == GRAPHQL_RESPONSE else 200)
    body = response.json()
    assert "data" not in body
    [error] = body["errors"]
    assert error["extensions"]["code"] == "SUBSCRIPTION_OVER_HTTP"
    assert "WebSocket" in error["message"] and "graphql-transport-ws" in error["message"]
    assert [r for r in caplog.records if r.levelno >= logging.WARNING] == []


@pytest.mark.parametrize(
    "query", ["{ __typename", "{ noSuchField }", "query { node(id: 1, id: 2) { id } }"]
)
async def test_client_errors_are_never_logged_at_error(
    http: httpx.AsyncClient, caplog: pytest.LogCaptureFixture, query: str
) -> None:
    # given
    caplog.set_level(logging.DEBUG)
    # when
    response = await _post(http, {"query": query}, None)
    # then
    assert response.json()["errors"]
    assert [r for r in caplog.records if r.levelno >= logging.WARNING] == []


async def test_an_unexpected_error_is_logged_once_with_the_id_the_client_sees(
    people: People, client, caplog: pytest.LogCaptureFixture, monkeypatch
) -> None:
    # given: a resolver that fails unexpectedly
    import core.notifications.queries as queries

    la = await people.local_authority()
    person = await people.signed_in(la, Role.LA_CASEWORKER)

    def broken(*args, **kwargs):  # type: ignore[no-untyped-def]
        raise RuntimeError("the disk is on fire")

    monkeypatch.setattr(queries, "notifications_page", broken)
    caplog.set_level(logging.DEBUG)
    # when
    body = await client.execute(
        "{ notifications(first: 1) { edges { node { id } } } }", token=person.token
    )
    # then
    [error] = body["errors"]
    error_id = error["extensions"]["errorId"]
    logged = [r for r in caplog.records if r.levelno >= logging.ERROR]
    assert len(logged) == 1
    assert error_id in logged[0].getMessage()
    assert "the disk is on fire" not in str(body)


async def test_an_apollo_upload_with_apollo_require_preflight_and_a_cookie_succeeds(
    people: People, http: httpx.AsyncClient
) -> None:
    # given: a browser session, and Apollo's upload link (multipart, its CSRF header)
    la = await people.local_authority()
    person = await people.signed_in(la, Role.LA_CASEWORKER)
    http.cookies.clear()
    # when
    response = await http.post(
        "/graphql",
        data={
            "operations": json.dumps(
                {"query": UPLOAD_DOCUMENT, "variables": {"file": None, "kind": "IPA_ATTACHMENT"}}
            ),
            "map": '{"0": ["variables.file"]}',
        },
        files={"0": ("care-plan.pdf", PDF, "application/pdf")},
        headers={"Apollo-Require-Preflight": "true", "Cookie": f"{SESSION_COOKIE}={person.token}"},
    )
    # then
    assert response.status_code == 200, response.text
    payload = response.json()["data"]["uploadDocument"]
    assert payload["userErrors"] == []
    assert payload["document"]["name"] == "care-plan.pdf"


async def test_a_cookie_post_without_a_csrf_header_is_still_refused(
    people: People, http: httpx.AsyncClient
) -> None:
    # given
    la = await people.local_authority()
    person = await people.signed_in(la, Role.LA_CASEWORKER)
    http.cookies.clear()
    # when
    response = await http.post(
        "/graphql",
        json={"query": "{ viewer { email } }"},
        headers={"Cookie": f"{SESSION_COOKIE}={person.token}"},
    )
    # then
    assert response.status_code == 403
    assert "Apollo-Require-Preflight" in response.text

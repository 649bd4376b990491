"""The JSON POST's direct path (schema/view.py ``_answer_json_post``) answers as strawberry's
run does: the same status, headers and body bytes, and the same request log line, for each
kind of request; the requests it does not take go through strawberry's run."""

from __future__ import annotations

import json
import logging
from typing import Any

import httpx
import pytest

from core.identity.roles import OrganisationKind
from schema.view import PortalGraphQL
from tests.people import People

ORIGIN = "http://127.0.0.1:8000"
REQUEST_ID = "direct-path-0001"

#: name -> (json body or raw bytes, extra headers, cookie auth)
KINDS: dict[str, tuple[Any, dict[str, str], bool]] = {
    "typename": ({"query": "{ __typename }"}, {}, False),
    "viewer": ({"query": "query WhoAmI { viewer { id email } }"}, {}, False),
    "variables": (
        {
            "query": "query Node($id: ID!) { node(id: $id) { id } }",
            "variables": {"id": "VXNlcjow"},
        },
        {},
        False,
    ),
    "operation name": (
        {
            "query": "query A { __typename } query B { viewer { email } }",
            "operationName": "B",
        },
        {},
        False,
    ),
    "no operation name": ({"query": "query A { __typename } query B { __typename }"}, {}, False),
    "unknown operation name": (
        {"query": "query A { __typename }", "operationName": "Z"},
        {},
        False,
    ),
    "field error": ({"query": "{ node(id: 12) { id } }"}, {}, False),
    "validation error": ({"query": "{ nothing }"}, {}, False),
    "request error 400": (
        {"query": "{ nothing"},
        {"Accept": "application/graphql-response+json"},
        False,
    ),
    "request error as json": ({"query": "{ nothing"}, {"Accept": "application/json"}, False),
    "graphql-response ok": (
        {"query": "{ __typename }"},
        {"Accept": "application/graphql-response+json, application/json;q=0.9"},
        False,
    ),
    "bad variables": (
        {"query": "query Node($id: ID!) { node(id: $id) { id } }", "variables": {"id": 3.5}},
        {},
        False,
    ),
    "variables not an object": ({"query": "{ __typename }", "variables": [1]}, {}, False),
    "query not text": ({"query": 7}, {}, False),
    "no query": ({"variables": {}}, {}, False),
    "batch": ([{"query": "{ __typename }"}], {}, False),
    "not json": (b"{nope", {}, False),
    "nul": (b'{"query": "{ __typename }", "variables": {"a": "\\u0000"}}', {}, False),
    "subscription": ({"query": "subscription { notificationAdded { id } }"}, {}, False),
    "mutation": ({"query": "mutation { logout { userErrors { code } } }"}, {}, False),
    "cookie without csrf header": (
        {"query": "{ viewer { email } }"},
        {"Origin": "https://evil.example"},
        True,
    ),
    "cookie with csrf header": ({"query": "{ viewer { email } }"}, {"X-Requested-With": "t"}, True),
    "cookie with origin": ({"query": "{ viewer { email } }"}, {"Origin": ORIGIN}, True),
}


async def _send(
    http: httpx.AsyncClient, body: Any, headers: dict[str, str], cookie: str | None
) -> httpx.Response:
    all_headers = {"X-Request-Id": REQUEST_ID, **headers}
    if cookie is not None:
        all_headers["Cookie"] = f"portal_session={cookie}"
    http.cookies.clear()
    if isinstance(body, bytes):
        all_headers["Content-Type"] = "application/json"
        return await http.post("/graphql", content=body, headers=all_headers)
    return await http.post("/graphql", json=body, headers=all_headers)


def _request_lines(caplog: pytest.LogCaptureFixture) -> list[dict[str, object]]:
    lines = []
    for record in caplog.records:
        if record.name == "portal.request":
            fields = {k: v for k, v in record.__dict__.items() if k not in _VARYING}
            lines.append(fields)
    caplog.clear()
    return lines


_VARYING = {"created", "msecs", "relativeCreated", "duration_ms", "thread", "process", "args"}


@pytest.mark.parametrize("kind", list(KINDS))
async def test_the_direct_path_answers_as_strawberrys_run(
    kind: str,
    people: People,
    http: httpx.AsyncClient,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    # given a signed-in person, and the request of this kind
    provider = await people.organisation(OrganisationKind.PROVIDER)
    person = await people.provider_admin(provider)
    body, headers, cookie_auth = KINDS[kind]
    if kind == "mutation":  # the mutation ends the session it is sent with: one each
        first = person.token
        tokens = [first, (await people.sign_in(person)).token]
    else:
        tokens = [person.token, person.token]
    calls: list[str] = []
    direct = PortalGraphQL._answer_json_post

    async def counted(view: PortalGraphQL, request: Any) -> Any:
        calls.append(kind)
        return await direct(view, request)

    monkeypatch.setattr(PortalGraphQL, "_answer_json_post", counted)
    caplog.set_level(logging.INFO, logger="portal.request")
    answers = []
    for on, token in zip((False, True), tokens, strict=True):
        # when it is answered by strawberry's run, then by the direct path
        monkeypatch.setattr(PortalGraphQL, "direct_path", on)
        sent = headers if cookie_auth else {**headers, "Authorization": f"Bearer {token}"}
        caplog.clear()
        response = await _send(http, body, sent, token if cookie_auth else None)
        answers.append((response, _request_lines(caplog)))
    # then the direct path was taken, and the answers are the same, byte for byte
    assert calls == [kind]
    (old, old_log), (new, new_log) = answers
    assert new.status_code == old.status_code
    assert new.headers.raw == old.headers.raw
    assert new.content == old.content, (old.content, new.content)
    assert new_log == old_log and len(new_log) == 1


async def test_other_requests_take_strawberrys_run(
    http: httpx.AsyncClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    # given the direct path, counted
    calls: list[str] = []
    direct = PortalGraphQL._answer_json_post

    async def counted(view: PortalGraphQL, request: Any) -> Any:
        calls.append("direct")
        return await direct(view, request)

    monkeypatch.setattr(PortalGraphQL, "_answer_json_post", counted)
    # when requests that are not a plain JSON POST come
    query = json.dumps({"query": "{ __typename }"})
    answers = [
        await http.post("/graphql", content=query, headers={"Content-Type": "text/plain"}),
        await http.post(
            "/graphql", content=query, headers={"Content-Type": "application/json; charset=utf-8"}
        ),
        await http.get("/graphql", params={"query": "{ __typename }"}),
        await http.put("/graphql", content=query, headers={"Content-Type": "application/json"}),
    ]
    # then strawberry's run answers each, as before
    assert calls == [], [a.status_code for a in answers]
    assert [a.status_code for a in answers] == [400, 200, 400, 405]
    assert answers[1].json() == {"data": {"__typename": "Query"}}

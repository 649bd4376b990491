"""Operation plans (schema/plans.py): a repeated operation skips strawberry's parse, validation
and extension machinery, and answers exactly as strawberry's own path does, errors included."""

from __future__ import annotations

import logging
import re
from typing import Any

import httpx
import pytest
from graphql import parse

import schema.categories.queries as category_queries
from core.identity.roles import Role
from schema.plans import MAX_PLANS, OperationPlans, collects_the_same
from tests.people import People

TWO_OPERATIONS = "query A { __typename } query B { viewer { id } }"
WITH_VARIABLE = "query Q($first: Int!) { referrals(first: $first) { totalCount } }"
FRAGMENTS = """
query { categories { ...Named values: label } viewer { ...Who } a: viewer { id } }
fragment Named on CategoryDefinition { label }
fragment Who on User { id organisation { id } }
"""
INCLUDE = "query ($with: Boolean!) { viewer { id organisation @include(if: $with) { id } } }"
#: (document, variables, operationName, signed in)
REQUESTS: list[tuple[str, dict[str, Any] | None, str | None, bool]] = [
    ("{ __typename }", None, None, True),
    ("{ __typename }", None, None, False),
    ("{ viewer { id } }", None, None, True),
    ("{ viewer { id } }", None, None, False),
    ("{ categories { label } }", None, None, True),
    (WITH_VARIABLE, {"first": 5}, None, True),
    (WITH_VARIABLE, {"first": "five"}, None, True),
    (WITH_VARIABLE, {}, None, True),
    (WITH_VARIABLE, {"first": 5}, "Other", True),
    (TWO_OPERATIONS, None, None, True),
    (TWO_OPERATIONS, None, "A", True),
    (TWO_OPERATIONS, None, "B", True),
    ("{ nope }", None, None, True),
    ("{ __schema { queryType { name } } }", None, None, True),
    ("subscription { notifications { id } }", None, None, True),
    ("{ " + "a: __typename " * 20 + "}", None, None, True),
    ("{ viewer { id ", None, None, True),
    (FRAGMENTS, None, None, True),
    (INCLUDE, {"with": True}, None, True),
    (INCLUDE, {"with": False}, None, True),
]
ERROR_ID = re.compile(r"[0-9a-f]{12}")


async def post(
    http: httpx.AsyncClient,
    query: str,
    variables: dict[str, Any] | None,
    operation_name: str | None,
    token: str | None,
) -> tuple[int, str, str]:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    body: dict[str, Any] = {"query": query}
    if variables is not None:
        body["variables"] = variables
    if operation_name is not None:
        body["operationName"] = operation_name
    response = await http.post("/graphql", json=body, headers=headers)
    # Error ids are random; everything else must be the same.
    return (
        response.status_code,
        response.headers["content-type"],
        ERROR_ID.sub("<id>", response.text),
    )


@pytest.fixture
def planned(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The documents answered from a plan, in order."""
    ran: list[str] = []
    execute = OperationPlans.execute

    async def spy(self: OperationPlans, schema: Any, plan: Any, **kwargs: Any) -> Any:
        ran.append(kwargs["query"])
        return await execute(self, schema, plan, **kwargs)

    monkeypatch.setattr(OperationPlans, "execute", spy)
    return ran


@pytest.mark.parametrize(("query", "variables", "operation_name", "signed_in"), REQUESTS)
async def test_a_planned_operation_answers_as_strawberrys_path_does(
    http: httpx.AsyncClient,
    people: People,
    planned: list[str],
    monkeypatch: pytest.MonkeyPatch,
    query: str,
    variables: dict[str, Any] | None,
    operation_name: str | None,
    signed_in: bool,
) -> None:
    # given
    person = await people.signed_in(await people.local_authority(), Role.LA_CASEWORKER)
    token = person.token if signed_in else None
    find = OperationPlans.find
    monkeypatch.setattr(OperationPlans, "find", lambda *args, **kwargs: None)
    unplanned = await post(http, query, variables, operation_name, token)
    monkeypatch.setattr(OperationPlans, "find", find)

    # when
    first = await post(http, query, variables, operation_name, token)
    second = await post(http, query, variables, operation_name, token)

    # then
    assert first == unplanned
    assert second == unplanned
    assert planned in ([], [query, query])  # recorded by the unplanned request


async def test_only_accepted_operations_are_planned(
    http: httpx.AsyncClient, people: People, planned: list[str]
) -> None:
    # given
    person = await people.signed_in(await people.local_authority(), Role.LA_CASEWORKER)

    # when
    for query, variables, operation_name, signed_in in REQUESTS * 2:
        token = person.token if signed_in else None
        await post(http, query, variables, operation_name, token)

    # then: neither an error before execution nor a refused operation type is ever planned
    assert sorted(set(planned)) == sorted(
        {"{ __typename }", "{ viewer { id } }", "{ categories { label } }", WITH_VARIABLE}
        | {TWO_OPERATIONS, "{ __schema { queryType { name } } }", FRAGMENTS, INCLUDE}
    )


async def test_an_unexpected_error_in_a_planned_operation_is_masked_and_logged(
    http: httpx.AsyncClient,
    people: People,
    planned: list[str],
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    # given a planned operation whose resolver then fails with a secret in its message
    person = await people.signed_in(await people.local_authority(), Role.LA_CASEWORKER)
    query = "{ categories { label } }"
    await post(http, query, None, None, person.token)

    async def broken(*args: object, **kwargs: object) -> None:
        raise RuntimeError("db password=hunter2")

    monkeypatch.setattr(category_queries, "effective_settings", broken)

    # when
    with caplog.at_level(logging.ERROR, logger="portal.graphql"):
        response = await http.post(
            "/graphql", json={"query": query}, headers={"Authorization": f"Bearer {person.token}"}
        )

    # then
    assert planned == [query]
    error = response.json()["errors"][0]
    assert "hunter2" not in response.text
    assert error["message"].startswith("Unexpected error (id ")
    error_id = error["extensions"]["errorId"]
    assert any(error_id in r.getMessage() and r.exc_info for r in caplog.records)


def test_the_plans_forget_the_oldest_beyond_their_bound() -> None:
    # given
    plans = OperationPlans(observe=False, no_suggestions=False)

    class Accepted:
        graphql_document = object()
        pre_execution_errors: list[object] = []
        validation_rules = ()
        operation_name = None
        operation_type = "query"

        def __init__(self, query: str) -> None:
            self.query = query
            self._provided_operation_name = None

    # when
    for n in range(MAX_PLANS + 1):
        plans.record(Accepted(f"{{ a{n}: __typename }}"))  # type: ignore[arg-type]  # enough of one

    # then
    assert plans.find("{ a0: __typename }", None, None, None) is None
    assert plans.find(f"{{ a{MAX_PLANS}: __typename }}", None, None, None) is not None


async def test_fields_under_a_directive_are_collected_for_each_request(
    http: httpx.AsyncClient, people: People, planned: list[str]
) -> None:
    # given a planned document whose collected fields depend on a variable
    person = await people.signed_in(await people.local_authority(), Role.LA_CASEWORKER)
    await post(http, INCLUDE, {"with": True}, None, person.token)

    # when
    answers = [
        (await post(http, INCLUDE, {"with": with_}, None, person.token))[2]
        for with_ in (False, True, False)
    ]

    # then
    assert planned == [INCLUDE] * 3
    assert ["organisation" in answer for answer in answers] == [False, True, False]


@pytest.mark.parametrize(
    ("document", "same"),
    [
        (FRAGMENTS, True),
        ("{ viewer { id } }", True),
        (INCLUDE, False),
        ("query { viewer { ...W } } fragment W on User { id @skip(if: true) }", False),
    ],
)
def test_a_document_without_directives_collects_the_same_fields_each_time(
    document: str, same: bool
) -> None:
    assert collects_the_same(parse(document)) is same

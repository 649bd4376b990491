import io
import logging
from collections.abc import Iterator
from datetime import datetime, timedelta

import orjson
import pytest

import schema.categories.queries as category_queries
from core.identity.roles import OrganisationKind, Role
from core.observability.logs import formatter
from tests.graphql_client import GraphQLClient
from tests.people import PASSWORD, People, code_for_step

VIEWER = "query WhoAmI { viewer { id email } }"


@pytest.fixture
def json_log() -> Iterator[io.StringIO]:
    """Everything logged during the test, as the JSON lines PORTAL_LOG_FORMAT=json writes."""
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(formatter("json"))
    root = logging.getLogger()
    level = root.level
    root.addHandler(handler)
    root.setLevel(logging.INFO)
    yield stream
    root.removeHandler(handler)
    root.setLevel(level)


def lines(stream: io.StringIO) -> list[dict]:
    return [orjson.loads(line) for line in stream.getvalue().splitlines() if line.strip()]


def request_lines(stream: io.StringIO) -> list[dict]:
    return [line for line in lines(stream) if line.get("logger") == "portal.request"]


async def test_every_response_carries_a_request_id(client: GraphQLClient) -> None:
    first = await client.post(VIEWER, token="")
    second = await client.post(VIEWER, token="")
    assert first.headers["x-request-id"]
    assert first.headers["x-request-id"] != second.headers["x-request-id"]


async def test_the_callers_request_id_is_returned_and_logged(
    client: GraphQLClient, people: People, json_log: io.StringIO
) -> None:
    # given a signed-in person
    la = await people.organisation(OrganisationKind.LOCAL_AUTHORITY)
    person = await people.signed_in(la, Role.LA_CASEWORKER)
    # when their request comes through a proxy that gave it an id
    response = await client.post(
        VIEWER, token=person.token, headers={"X-Request-Id": "proxy-7f3a-0001"}
    )
    # then the id comes back and the request's one line carries it
    assert response.headers["x-request-id"] == "proxy-7f3a-0001"
    [line] = [r for r in request_lines(json_log) if r.get("request_id") == "proxy-7f3a-0001"]
    assert line["operation"] == "WhoAmI"
    assert line["operation_type"] == "query"
    assert line["outcome"] == "ok"
    assert line["user_id"] == str(person.user_id)
    assert line["organisation_id"] == str(person.organisation_id)
    assert line["status"] == 200
    assert line["duration_ms"] >= 0
    assert line["level"] == "info"
    assert "timestamp" in line


async def test_a_request_id_that_is_not_sensible_is_replaced(client: GraphQLClient) -> None:
    response = await client.post(VIEWER, token="", headers={"X-Request-Id": "a b\tc" * 50})
    assert response.headers["x-request-id"] != "a b\tc" * 50
    assert len(response.headers["x-request-id"]) == 32


async def test_logs_hold_no_token_password_or_code(
    client: GraphQLClient, people: People, json_log: io.StringIO
) -> None:
    # given a person who signed in (password, TOTP code) and used their session token
    la = await people.organisation(OrganisationKind.LOCAL_AUTHORITY)
    person = await people.signed_in(la, Role.LA_CASEWORKER)
    await client.data(VIEWER, token=person.token)
    # and signed in once more
    await people.sign_in(person)
    # then nothing logged holds the secrets used
    code = code_for_step(person.totp_secret, person.last_step)
    logged = json_log.getvalue()
    assert request_lines(json_log), "the requests were logged"
    for secret in (person.token, PASSWORD, code, person.totp_secret):
        assert secret not in logged


async def test_a_masked_error_has_its_id_in_the_request_line(
    client: GraphQLClient, monkeypatch, json_log: io.StringIO
) -> None:
    # given a resolver that fails
    async def broken(*args, **kwargs):
        raise RuntimeError("boom")

    monkeypatch.setattr(category_queries, "effective_settings", broken)
    # when
    response = await client.post("query Categories { categories { label } }", token="")
    # then the client's error id is in the request's line and in the traceback's line
    error_id = response.json()["errors"][0]["extensions"]["errorId"]
    request_id = response.headers["x-request-id"]
    [line] = [r for r in request_lines(json_log) if r["request_id"] == request_id]
    assert line["error_ids"] == [error_id]
    assert line["outcome"] == "errors"
    [error_line] = [r for r in lines(json_log) if r.get("error_id") == error_id]
    assert error_line["request_id"] == request_id
    assert error_line["level"] == "error"
    assert "RuntimeError" in error_line["exception"]


def _record(message: str, args: tuple = (), level: int = logging.INFO, **extra: object):
    logger = logging.getLogger("portal.request")
    return logger.makeRecord(logger.name, level, "f.py", 1, message, args, None, extra=extra)


@pytest.mark.parametrize(
    "record",
    [
        _record("request", method="POST", path="/graphql", status=200, duration_ms=1.5),
        _record("request", operation=None, error_ids=["a1", "b 2"], user_id="x=y"),
        _record("caught %s in %d", ("it's", 3), logging.WARNING, quoted='"q"', tab="a\tb"),
        _record("x" * 40, (), logging.CRITICAL, empty="", mapping={"k": 1}),
        _record("", (), logging.DEBUG),
        _record("custom level", (), 5),
        _record("its own id", request_id="mine"),
        _record("a column's name", level="odd", logger="also odd"),
        _record("enums", kind=OrganisationKind.LOCAL_AUTHORITY, role=Role.LA_ADMIN),
    ],
)
def test_console_lines_read_as_structlogs_own(record: logging.LogRecord) -> None:
    # given the console formatter, and structlog's own that it stands in for
    from core.observability.logs import (
        ConsoleFormatter,
        bind_request_id,
        structlog_console_formatter,
        unbind_request_id,
    )

    fast = formatter("console")
    assert isinstance(fast, ConsoleFormatter)
    # when both write the same record within a request
    bound = bind_request_id("r-1")
    try:
        ours, theirs = fast.format(record), structlog_console_formatter().format(record)
    finally:
        unbind_request_id(bound)
    # then the lines are the same but for the moment each was written
    assert ours.split(" ", 1)[1] == theirs.split(" ", 1)[1]
    stamp = datetime.fromisoformat(ours.split(" ", 1)[0])  # ISO, in UTC, as theirs
    assert stamp.utcoffset() == timedelta(0) and ours.split(" ", 1)[0].endswith("Z")

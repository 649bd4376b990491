"""Finding 13 (the part of issue 20): what a client sends is repeated in an error, in the
answer and in the log, only truncated; a 5 MB anonymous request writes a few KB at most."""

from __future__ import annotations

import logging

import pytest

from tests.identity.world import World

BIG = "x" * (5 * 1024 * 1024)


@pytest.mark.parametrize(
    "body",
    [
        {"query": "{ __typename " + BIG},
        {"query": '{ __typename(a: "' + BIG + '") }'},
        {
            "query": "mutation ($i: LoginInput!) { login(input: $i) { nextStep } }",
            "variables": {"i": {"email": "a", "password": "b", BIG: 1}},
        },
        {
            "query": "mutation ($i: LoginInput!) { login(input: $i) { nextStep } }",
            "variables": {"i": {"email": ["a"] * 100_000, "password": BIG}},
        },
    ],
    ids=["syntax-error", "unknown-argument", "unknown-input-field", "wrong-types"],
)
async def test_a_5_mb_request_writes_little_to_the_log_and_the_answer(
    world: World, caplog: pytest.LogCaptureFixture, body: dict
) -> None:
    # given
    caplog.set_level(logging.INFO)

    # when
    response = await world.client.http.post("/graphql", json=body)

    # then
    logged = sum(
        len(logging.Formatter().format(record))
        for record in caplog.records
        if record.levelno >= logging.INFO
    )
    assert response.status_code in (200, 400)
    assert len(response.content) < 4096
    assert logged < 16 * 1024

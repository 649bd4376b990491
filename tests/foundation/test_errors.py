import logging

import pytest

import schema.categories.queries as category_queries
from tests.graphql_client import GraphQLClient


async def test_an_unexpected_error_reaches_the_client_masked_with_an_id(
    client: GraphQLClient, monkeypatch, caplog
) -> None:
    # given a resolver that fails with a secret in its message
    async def broken(*args, **kwargs):
        raise RuntimeError("db password=hunter2")

    monkeypatch.setattr(category_queries, "effective_settings", broken)
    # when
    with caplog.at_level(logging.ERROR, logger="portal.graphql"):
        body = await client.execute("{ categories { label } }")
    # then
    error = body["errors"][0]
    assert "hunter2" not in str(body)
    assert error["message"].startswith("Unexpected error (id ")
    error_id = error["extensions"]["errorId"]
    assert any(error_id in r.getMessage() and r.exc_info for r in caplog.records)


@pytest.mark.parametrize("count", [30])
async def test_too_many_aliases_get_a_readable_error(client: GraphQLClient, count: int) -> None:
    query = "{ " + " ".join(f"a{i}: categories {{ label }}" for i in range(count)) + " }"
    body = await client.execute(query)
    assert "aliases found" in body["errors"][0]["message"]

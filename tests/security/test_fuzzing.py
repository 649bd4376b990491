"""Fuzzing the API (hypothesis-graphql) as an LA caseworker and as a provider admin: every
generated query and mutation, valid or not by the schema's types, is answered without a 5xx
and without an "Unexpected error" (a fault masked for the client). Bounded: a fixed number of
examples per role, about a minute in all (``PORTAL_FUZZ_EXAMPLES`` raises it locally).

The fixed hostile cases (deeply nested JSON, NUL characters) are in test_hostile_requests.py.
"""

from __future__ import annotations

import asyncio
import os
from pathlib import Path

import httpx
import hypothesis_graphql
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis_graphql import nodes

from tests.identity.world import World
from tests.notifications.conftest import portal  # noqa: F401  (the fixture)
from tests.notifications.helpers import served

SCHEMA = (Path(__file__).resolve().parents[2] / "schema" / "schema.graphql").read_text()
EXAMPLES = int(os.environ.get("PORTAL_FUZZ_EXAMPLES", "60"))
#: Mutations whose argument is a file: they need a multipart request, not a JSON one.
UPLOADS = {"uploadDocument", "uploadRegistrationSpreadsheet"}
#: Ending the fuzzing person's own session would only make the rest of the run anonymous.
SKIPPED = UPLOADS | {"logout"}

CUSTOM_SCALARS = {
    "Date": st.dates().map(lambda d: nodes.String(d.isoformat())),
    "DateTime": st.datetimes().map(lambda d: nodes.String(d.isoformat() + "Z")),
    "Decimal": st.decimals(allow_nan=False, allow_infinity=False, places=2).map(
        lambda d: nodes.String(str(d))
    ),
    "JSON": st.one_of(st.integers(), st.text(max_size=20)).map(
        lambda v: nodes.Int(v) if isinstance(v, int) else nodes.String(v)
    ),
    "Upload": st.just(nodes.Null),
}


def _mutation_fields() -> list[str]:
    from graphql import build_schema

    schema = build_schema(SCHEMA)
    assert schema.mutation_type is not None
    return sorted(set(schema.mutation_type.fields) - SKIPPED)


def _fuzz(url: str, token: str) -> None:
    """Runs in a worker thread: hypothesis drives a plain HTTP client against the server."""
    failures: list[str] = []
    strategy = st.one_of(
        hypothesis_graphql.queries(SCHEMA, custom_scalars=CUSTOM_SCALARS),
        hypothesis_graphql.mutations(
            SCHEMA, fields=_mutation_fields(), custom_scalars=CUSTOM_SCALARS
        ),
    )
    with httpx.Client(base_url=url, timeout=30) as http:

        @settings(
            max_examples=EXAMPLES,
            deadline=None,
            suppress_health_check=list(HealthCheck),
            database=None,
        )
        @given(query=strategy)
        def check(query: str) -> None:
            response = http.post(
                "/graphql",
                json={"query": query},
                headers={"Authorization": f"Bearer {token}"},
            )
            if response.status_code >= 500 or "Unexpected error" in response.text:
                failures.append(f"{response.status_code} {response.text[:300]}\n{query}")
            assert response.status_code < 500, query
            assert "Unexpected error" not in response.text, (query, response.text[:500])

        check()


@pytest.mark.parametrize("who", ["caseworker", "provider_admin"])
async def test_fuzzed_operations_never_fail_on_the_server(
    world: World,
    portal,  # noqa: F811
    who: str,
) -> None:
    # given a served portal and a signed-in person
    token = await world.token(who)
    async with served(portal) as ws_url:
        url = ws_url.replace("ws://", "http://").removesuffix("/graphql")

        # when / then (hypothesis reports the smallest failing operation)
        await asyncio.to_thread(_fuzz, url, token)

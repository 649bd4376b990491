"""A GraphQL client for tests: talks HTTP to the ASGI app through httpx, as a client would."""

from __future__ import annotations

from typing import Any

import httpx


class GraphQLClient:
    """An API client: bearer tokens, no cookies (browser behaviour is tested with ``http``)."""

    def __init__(self, http: httpx.AsyncClient) -> None:
        self.http = http
        self.token: str | None = None

    async def post(
        self,
        query: str,
        variables: dict[str, Any] | None = None,
        *,
        token: str | None = None,
        headers: dict[str, str] | None = None,
    ) -> httpx.Response:
        all_headers = dict(headers or {})
        bearer = token if token is not None else self.token
        if bearer:
            all_headers["Authorization"] = f"Bearer {bearer}"
        self.http.cookies.clear()
        return await self.http.post(
            "/graphql", json={"query": query, "variables": variables or {}}, headers=all_headers
        )

    async def execute(
        self, query: str, variables: dict[str, Any] | None = None, **kwargs: Any
    ) -> dict[str, Any]:
        """The whole response body (``data`` and ``errors``)."""
        response = await self.post(query, variables, **kwargs)
        assert response.status_code == 200, response.text
        return response.json()

    async def data(
        self, query: str, variables: dict[str, Any] | None = None, **kwargs: Any
    ) -> dict[str, Any]:
        """The ``data`` of a response that must have no GraphQL errors."""
        body = await self.execute(query, variables, **kwargs)
        assert not body.get("errors"), body["errors"]
        return body["data"]

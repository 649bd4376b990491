"""CSRF, GraphQL limits and brute force through batching."""

from tests.identity.world import World
from tests.people import LOGIN, PASSWORD


async def _cookie_for(world: World) -> str:
    person = await world.person("caseworker")
    return person.token


async def test_a_cookie_post_without_the_custom_header_runs_nothing(world: World) -> None:
    token = await _cookie_for(world)
    response = await world.client.http.post(
        "/graphql",
        json={"query": "mutation { logout { userErrors { code } } }"},
        headers={"Origin": "https://evil.example", "Cookie": f"portal_session={token}"},
    )
    assert response.status_code == 403
    viewer = await world.client.data("{ viewer { email } }", token=token)
    assert viewer["viewer"] is not None  # the session was not ended


async def test_a_cross_site_multipart_post_with_the_cookie_runs_nothing(world: World) -> None:
    token = await _cookie_for(world)
    response = await world.client.http.post(
        "/graphql",
        data={
            "operations": '{"query": "mutation { logout { userErrors { code } } }"}',
            "map": "{}",
        },
        files={"0": ("a.txt", b"x", "text/plain")},
        headers={"Origin": "https://evil.example", "Cookie": f"portal_session={token}"},
    )
    assert response.status_code == 403
    assert (await world.client.data("{ viewer { email } }", token=token))["viewer"] is not None


async def test_a_text_plain_post_runs_nothing(world: World) -> None:
    token = await _cookie_for(world)
    response = await world.client.http.post(
        "/graphql",
        content='{"query": "mutation { logout { userErrors { code } } }"}',
        headers={
            "Content-Type": "text/plain",
            "X-Requested-With": "fetch",
            "Cookie": f"portal_session={token}",
        },
    )
    assert response.status_code in (400, 415)
    assert (await world.client.data("{ viewer { email } }", token=token))["viewer"] is not None


async def test_a_cookie_post_with_the_custom_header_runs(world: World) -> None:
    token = await _cookie_for(world)
    response = await world.client.http.post(
        "/graphql",
        json={"query": "{ viewer { email } }"},
        headers={"X-Requested-With": "fetch", "Cookie": f"portal_session={token}"},
    )
    assert response.status_code == 200
    assert response.json()["data"]["viewer"] is not None


async def test_a_cookie_post_from_the_portals_own_origin_runs(world: World) -> None:
    token = await _cookie_for(world)
    response = await world.client.http.post(
        "/graphql",
        json={"query": "{ viewer { email } }"},
        headers={"Origin": "http://127.0.0.1:8000", "Cookie": f"portal_session={token}"},
    )
    assert response.json()["data"]["viewer"] is not None


async def test_thirty_aliased_code_checks_are_refused_by_the_alias_limit(world: World) -> None:
    person = await world.person("caseworker")
    login = (await world.client.data(LOGIN, {"email": person.email, "password": PASSWORD}))["login"]
    fields = " ".join(
        f'a{i}: verifyTotp(input: {{challenge: "{login["challenge"]}", code: "{i:06d}"}}) {{ sessionToken }}'
        for i in range(30)
    )
    body = await world.client.execute(f"mutation {{ {fields} }}")
    assert "aliases found" in body["errors"][0]["message"]
    assert body.get("data") is None


async def test_aliased_code_checks_under_the_limit_count_one_by_one(world: World) -> None:
    person = await world.person("caseworker")
    login = (await world.client.data(LOGIN, {"email": person.email, "password": PASSWORD}))["login"]
    fields = " ".join(
        f'a{i}: verifyTotp(input: {{challenge: "{login["challenge"]}", code: "{i:06d}"}}) {{ userErrors {{ code }} }}'
        for i in range(6)
    )
    body = await world.client.execute(f"mutation {{ {fields} }}")
    codes = [body["data"][f"a{i}"]["userErrors"][0]["code"] for i in range(6)]
    assert codes.count("LOCKED") >= 1  # the sixth wrong code finds the account locked


async def test_a_too_deep_query_gets_a_readable_error(world: World) -> None:
    person = await world.person("la_admin")
    nested = "users { organisation { " * 7 + "name" + " } }" * 7
    body = await world.client.execute(
        f"{{ viewer {{ organisation {{ {nested} }} }} }}", token=person.token
    )
    assert "exceeds maximum operation depth" in body["errors"][0]["message"]


async def test_login_attempts_from_one_address_are_rate_limited(world: World) -> None:
    codes = []
    for _ in range(32):
        data = await world.client.data(
            LOGIN, {"email": "nobody@example.org", "password": "wrong password"}
        )
        codes.append(data["login"]["userErrors"][0]["code"])
    assert codes[0] == "INVALID_CREDENTIALS"
    assert codes[-1] == "RATE_LIMITED"


async def test_the_legacy_graphql_ws_protocol_is_not_offered(app) -> None:
    import httpx
    from httpx_ws import aconnect_ws
    from httpx_ws.transport import ASGIWebSocketTransport

    async with httpx.AsyncClient(
        transport=ASGIWebSocketTransport(app), base_url="http://127.0.0.1:8000"
    ) as http:
        async with aconnect_ws("/graphql", http, subprotocols=["graphql-ws"]) as ws:
            from httpx_ws import WebSocketDisconnect

            try:
                await ws.receive_text(timeout=5)
                closed_with = None
            except WebSocketDisconnect as closed:
                closed_with = closed.code
    assert closed_with == 4406

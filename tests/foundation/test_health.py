import httpx

from core.settings import Settings
from schema.app import create_app


async def test_health_answers_ok_when_the_database_answers(http: httpx.AsyncClient) -> None:
    # when
    response = await http.get("/health")
    # then
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


async def test_health_answers_503_when_the_database_does_not(tmp_path, registry) -> None:
    # given a database file that cannot be opened
    settings = Settings(database_url=f"sqlite+aiosqlite:///{tmp_path}/missing/dir/x.db", env="test")
    app = create_app(settings, registry=registry)
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://127.0.0.1:8000") as http:
        # when
        response = await http.get("/health")
    # then
    assert response.status_code == 503
    assert response.json() == {"status": "unavailable"}


async def test_graphiql_is_served_to_a_browser(http: httpx.AsyncClient) -> None:
    response = await http.get("/graphql", headers={"Accept": "text/html"})
    assert response.status_code == 200
    assert "graphiql" in response.text.lower()


async def test_queries_are_not_run_over_get(http: httpx.AsyncClient) -> None:
    response = await http.get("/graphql", params={"query": "{ categories { label } }"})
    assert response.status_code in (400, 405)


async def test_a_body_over_the_upload_limit_is_refused_with_413(http: httpx.AsyncClient) -> None:
    # given a body just over the limit
    body = b"x" * (20 * 1024 * 1024 + 1)
    # when
    response = await http.post(
        "/graphql", content=body, headers={"Content-Type": "application/json"}
    )
    # then
    assert response.status_code == 413


async def test_a_streamed_body_over_the_limit_is_cut_off_with_413(http: httpx.AsyncClient) -> None:
    # given a chunked body with no declared length
    async def chunks():
        for _ in range(21):
            yield b"x" * (1024 * 1024)

    # when
    response = await http.post(
        "/graphql", content=chunks(), headers={"Content-Type": "application/json"}
    )
    # then
    assert response.status_code == 413

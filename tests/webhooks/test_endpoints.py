import pytest

from core.identity.roles import Role
from core.settings import Settings
from tests.graphql_client import GraphQLClient
from tests.people import People
from tests.webhooks.helpers import (
    DELETE,
    ENDPOINTS,
    ROTATE,
    UPDATE_ENDPOINT,
    create_endpoint,
    endpoint,
    local_authority,
)

URL = "https://cms.example.gov.uk/hooks/portal"


@pytest.fixture
def settings(settings: Settings) -> Settings:
    """Addresses are checked as in production (no private ones); example.gov.uk is given an
    address by each test that needs one."""
    return settings.model_copy(update={"webhook_allow_private": False})


@pytest.fixture(autouse=True)
def public_dns(monkeypatch) -> None:
    """cms.example.gov.uk resolves to a public address; nothing leaves the machine."""
    import asyncio

    real = asyncio.BaseEventLoop.getaddrinfo

    async def getaddrinfo(self, host, port, *args, **kwargs):
        if host == "cms.example.gov.uk":
            return [(2, 1, 6, "", ("93.184.215.14", port or 443))]
        return await real(self, host, port, *args, **kwargs)

    monkeypatch.setattr(asyncio.BaseEventLoop, "getaddrinfo", getaddrinfo)


async def test_an_la_admin_registers_an_endpoint_and_sees_its_secret_once(
    client: GraphQLClient, people: People
) -> None:
    # given
    la = await local_authority(people)
    # when
    result = await create_endpoint(client, la.admin.token, URL, ["OFFER_SUBMITTED", "IPA_SIGNED"])
    # then
    assert result["userErrors"] == []
    assert result["secret"].startswith("whsec_")
    assert result["endpoint"]["url"] == URL
    assert result["endpoint"]["events"] == ["OFFER_SUBMITTED", "IPA_SIGNED"]
    assert result["endpoint"]["enabled"] is True
    listed = (await client.data(ENDPOINTS, token=la.admin.token))["webhookEndpoints"]
    assert [e["id"] for e in listed] == [result["endpoint"]["id"]]
    assert result["secret"] not in str(listed)


async def test_only_an_la_admin_manages_endpoints(client: GraphQLClient, people: People) -> None:
    la = await local_authority(people)
    result = await create_endpoint(client, la.caseworker.token, URL)
    assert result["endpoint"] is None
    assert [e["code"] for e in result["userErrors"]] == ["FORBIDDEN"]
    assert (await client.data(ENDPOINTS, token=la.caseworker.token))["webhookEndpoints"] == []


async def test_another_las_endpoint_is_not_found(client: GraphQLClient, people: People) -> None:
    # given an endpoint of another LA
    ours = await local_authority(people)
    theirs_la = await people.local_authority("Walsall", "WAL")
    theirs_admin = await people.signed_in(theirs_la, Role.LA_ADMIN)
    from tests.webhooks.helpers import LocalAuthority

    theirs = LocalAuthority(theirs_la, theirs_admin, theirs_admin)
    endpoint_id, _ = await endpoint(client, theirs, URL)
    # when our admin tries to change, rotate or delete it
    for operation, variables in (
        (UPDATE_ENDPOINT, {"input": {"id": endpoint_id, "enabled": False}}),
        (ROTATE, {"id": endpoint_id}),
        (DELETE, {"id": endpoint_id}),
    ):
        data = await client.data(operation, variables, token=ours.admin.token)
        [payload] = data.values()
        # then
        assert [e["code"] for e in payload["userErrors"]] == ["NOT_FOUND"]
    assert (await client.data(ENDPOINTS, token=ours.admin.token))["webhookEndpoints"] == []


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1:8080/hooks",
        "http://localhost/hooks",
        "http://10.1.2.3/hooks",
        "http://192.168.0.20/hooks",
        "http://169.254.169.254/latest/meta-data",
        "http://[::1]/hooks",
        "http://[::ffff:127.0.0.1]/hooks",
    ],
)
async def test_a_private_address_is_refused_without_the_setting(
    client: GraphQLClient, people: People, url: str
) -> None:
    la = await local_authority(people)
    result = await create_endpoint(client, la.admin.token, url)
    assert result["endpoint"] is None
    [error] = result["userErrors"]
    assert error["field"] == ["input", "url"]
    assert error["code"] == "INVALID"
    assert "private, loopback or link-local" in error["message"]


@pytest.mark.parametrize(
    "url",
    ["ftp://cms.example.gov.uk/x", "cms.example.gov.uk", "https://user:pw@cms.example.gov.uk/"],
)
async def test_a_url_that_is_not_http_is_refused(
    client: GraphQLClient, people: People, url: str
) -> None:
    la = await local_authority(people)
    result = await create_endpoint(client, la.admin.token, url)
    assert [e["field"] for e in result["userErrors"]] == [["input", "url"]]


async def test_no_events_is_refused(client: GraphQLClient, people: People) -> None:
    la = await local_authority(people)
    result = await create_endpoint(client, la.admin.token, URL, [])
    assert [e["field"] for e in result["userErrors"]] == [["input", "events"]]


async def test_production_takes_https_only(settings: Settings, registry, people: People) -> None:
    # given a production portal
    import httpx
    from asgi_lifespan import LifespanManager

    from schema.app import create_app

    production = settings.model_copy(update={"env": "production"})
    la = await local_authority(people)
    app = create_app(production, registry=registry)
    async with LifespanManager(app):
        transport = httpx.ASGITransport(app=app, client=("127.0.0.1", 51000))
        async with httpx.AsyncClient(transport=transport, base_url="http://127.0.0.1:8000") as http:
            production_client = GraphQLClient(http)
            # when
            plain = await create_endpoint(
                production_client, la.admin.token, "http://cms.example.gov.uk/x"
            )
            secure = await create_endpoint(production_client, la.admin.token, URL)
    # then
    assert "https://" in plain["userErrors"][0]["message"]
    assert secure["userErrors"] == []


async def test_an_admin_changes_disables_and_deletes_an_endpoint(
    client: GraphQLClient, people: People
) -> None:
    la = await local_authority(people)
    endpoint_id, _ = await endpoint(client, la, URL)
    changed = (
        await client.data(
            UPDATE_ENDPOINT,
            {"input": {"id": endpoint_id, "events": ["IPA_SIGNED"], "enabled": False}},
            token=la.admin.token,
        )
    )["updateWebhookEndpoint"]
    assert changed["userErrors"] == []
    assert changed["endpoint"]["events"] == ["IPA_SIGNED"]
    assert changed["endpoint"]["enabled"] is False
    deleted = (await client.data(DELETE, {"id": endpoint_id}, token=la.admin.token))[
        "deleteWebhookEndpoint"
    ]
    assert deleted["endpoint"]["url"] == URL
    assert (await client.data(ENDPOINTS, token=la.admin.token))["webhookEndpoints"] == []


async def test_rotating_gives_a_new_secret(client: GraphQLClient, people: People) -> None:
    la = await local_authority(people)
    endpoint_id, secret = await endpoint(client, la, URL)
    rotated = (await client.data(ROTATE, {"id": endpoint_id}, token=la.admin.token))[
        "rotateWebhookSecret"
    ]
    assert rotated["secret"].startswith("whsec_")
    assert rotated["secret"] != secret

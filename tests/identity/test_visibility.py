"""Each organisation sees only what it may: another's object by id is null, not FORBIDDEN."""

from schema.node import encode_id
from tests.identity.world import World

NODE = "query ($id: ID!) { node(id: $id) { id ... on Organisation { name users { email } } ... on User { email } } }"
ORG_USERS = "query ($id: ID!) { node(id: $id) { ... on Organisation { users { email } } } }"


async def test_a_provider_user_cannot_read_an_las_users(world: World) -> None:
    provider = await world.person("provider_admin")
    caseworker = await world.person("caseworker")
    la = encode_id("Organisation", await world.org("la"))
    data = await world.client.data(ORG_USERS, {"id": la}, token=provider.token)
    assert data["node"] == {"users": []}
    assert (await world.client.data(NODE, {"id": caseworker.id}, token=provider.token))[
        "node"
    ] is None


async def test_one_provider_cannot_read_another_providers_organisation(world: World) -> None:
    provider = await world.person("provider_admin")
    other = encode_id("Organisation", await world.org("other_provider"))
    assert (await world.client.data(NODE, {"id": other}, token=provider.token))["node"] is None


async def test_an_unknown_id_and_a_hidden_one_look_the_same(world: World) -> None:
    provider = await world.person("provider_admin")
    hidden = encode_id("Organisation", await world.org("other_provider"))
    unknown = encode_id("Organisation", __import__("uuid").uuid4())
    hidden_body = await world.client.execute(NODE, {"id": hidden}, token=provider.token)
    unknown_body = await world.client.execute(NODE, {"id": unknown}, token=provider.token)
    assert hidden_body == unknown_body == {"data": {"node": None}}


async def test_an_admin_sees_the_members_of_their_organisation(world: World) -> None:
    admin = await world.person("la_admin")
    caseworker = await world.person("caseworker")
    la = encode_id("Organisation", await world.org("la"))
    emails = {
        u["email"]
        for u in (await world.client.data(ORG_USERS, {"id": la}, token=admin.token))["node"][
            "users"
        ]
    }
    assert {admin.email, caseworker.email} <= emails


async def test_a_caseworker_does_not_see_the_member_list(world: World) -> None:
    caseworker = await world.person("caseworker")
    la = encode_id("Organisation", await world.org("la"))
    assert (await world.client.data(ORG_USERS, {"id": la}, token=caseworker.token))["node"] == {
        "users": []
    }


async def test_nobody_sees_nothing(world: World) -> None:
    la = encode_id("Organisation", await world.org("la"))
    data = await world.client.data(
        "{ viewer { id } organisations { name } accountRequests { id } }"
    )
    assert data == {"viewer": None, "organisations": [], "accountRequests": []}
    assert (await world.client.data(NODE, {"id": la}))["node"] is None


async def test_a_provider_lists_the_local_authorities_and_only_itself(world: World) -> None:
    provider = await world.person("provider_admin")
    await world.org("other_provider")
    data = await world.client.data("{ organisations { name kind } }", token=provider.token)
    names = {(o["name"], o["kind"]) for o in data["organisations"]}
    assert ("Acorn Care", "PROVIDER") in names
    assert ("Birch Homes", "PROVIDER") not in names
    assert ("Birmingham", "LOCAL_AUTHORITY") in names

"""API tokens for LA systems, and signing authority between colleagues."""

from sqlalchemy import select

from core.identity.secrets import hash_token
from core.models import ApiToken
from tests.identity.world import CREATE_API_TOKEN, World

VIEWER_ORGS = "{ viewer { id } organisations(kind: LOCAL_AUTHORITY) { name } }"
REVOKE = "mutation ($id: ID!) { revokeApiToken(input: {id: $id}) { userErrors { code } } }"
GRANT = "mutation ($id: ID!) { grantSigningAuthority(input: {userId: $id}) { user { signingDelegates { email } } userErrors { code field } } }"
REVOKE_AUTHORITY = "mutation ($id: ID!) { revokeSigningAuthority(input: {userId: $id}) { user { signingDelegates { email } } userErrors { code } } }"


async def test_an_api_token_is_shown_once_and_stored_as_a_hash(world: World) -> None:
    admin = await world.person("la_admin")
    data = await world.client.data(CREATE_API_TOKEN, {"name": "Mosaic"}, token=admin.token)
    token = data["createApiToken"]["token"]
    async with world.people.db.session() as session:
        stored = await session.scalar(select(ApiToken))
    assert stored is not None
    assert stored.token_hash == hash_token(token)
    assert token.encode() not in stored.token_hash


async def test_an_api_token_acts_as_a_caseworker_of_its_la(world: World) -> None:
    token = await world.token("api_token")
    data = await world.client.data(VIEWER_ORGS, token=token)
    assert data["viewer"] is None  # a system, not a person
    assert data["organisations"] == [{"name": "Birmingham"}]
    created = await world.client.data(CREATE_API_TOKEN, {"name": "another"}, token=token)
    assert created["createApiToken"]["userErrors"][0]["code"] == "FORBIDDEN"


async def test_an_api_token_records_when_it_was_last_used(world: World) -> None:
    admin = await world.person("la_admin")
    data = await world.client.data(CREATE_API_TOKEN, {"name": "Mosaic"}, token=admin.token)
    token = data["createApiToken"]["token"]
    node = f'{{ node(id: "{data["createApiToken"]["apiToken"]["id"]}") {{ id }} }}'
    assert (await world.client.data(node, token=admin.token))[
        "node"
    ] is None  # tokens are not browsable
    await world.client.data(VIEWER_ORGS, token=token)
    async with world.people.db.session() as session:
        stored = await session.scalar(select(ApiToken))
    assert stored is not None and stored.last_used_at is not None


async def test_a_revoked_api_token_is_refused(world: World) -> None:
    admin = await world.person("la_admin")
    data = await world.client.data(CREATE_API_TOKEN, {"name": "Mosaic"}, token=admin.token)
    token, token_id = data["createApiToken"]["token"], data["createApiToken"]["apiToken"]["id"]
    assert (await world.client.data(REVOKE, {"id": token_id}, token=admin.token))["revokeApiToken"][
        "userErrors"
    ] == []
    assert (await world.client.data(VIEWER_ORGS, token=token))["organisations"] == []


async def test_a_signatory_grants_and_revokes_authority_to_sign_on_their_behalf(
    world: World,
) -> None:
    signatory = await world.person("la_signatory")
    caseworker = await world.person("caseworker")
    granted = await world.client.data(GRANT, {"id": caseworker.id}, token=signatory.token)
    assert granted["grantSigningAuthority"]["user"]["signingDelegates"] == [
        {"email": caseworker.email}
    ]
    revoked = await world.client.data(
        REVOKE_AUTHORITY, {"id": caseworker.id}, token=signatory.token
    )
    assert revoked["revokeSigningAuthority"]["user"]["signingDelegates"] == []


async def test_authority_cannot_be_granted_to_another_organisation(world: World) -> None:
    signatory = await world.person("la_signatory")
    outsider = await world.person("provider_user")
    granted = await world.client.data(GRANT, {"id": outsider.id}, token=signatory.token)
    assert granted["grantSigningAuthority"]["userErrors"][0]["code"] == "NOT_FOUND"


ME_SIGNING = "{ viewer { signsOnBehalfOf { email } colleagues { email } } }"


async def test_a_delegate_sees_whose_authority_they_sign_under(world: World) -> None:
    # given a signatory who authorised a caseworker
    signatory = await world.person("la_signatory")
    caseworker = await world.person("caseworker")
    await world.client.data(GRANT, {"id": caseworker.id}, token=signatory.token)
    # when the caseworker looks at themselves
    data = await world.client.data(ME_SIGNING, token=caseworker.token)
    # then
    assert data["viewer"]["signsOnBehalfOf"] == [{"email": signatory.email}]


async def test_a_signatory_sees_the_colleagues_they_may_authorise(world: World) -> None:
    # given a signatory-only person and a caseworker of the same LA, and a provider's user
    signatory = await world.person("la_signatory")
    caseworker = await world.person("caseworker")
    outsider = await world.person("provider_user")
    # when
    data = await world.client.data(ME_SIGNING, token=signatory.token)
    # then: colleagues of the same organisation only, not the signatory themselves
    emails = {c["email"] for c in data["viewer"]["colleagues"]}
    assert caseworker.email in emails
    assert signatory.email not in emails and outsider.email not in emails


async def test_colleagues_of_another_user_are_hidden_from_a_non_admin(world: World) -> None:
    # given two colleagues, neither an admin
    signatory = await world.person("la_signatory")
    caseworker = await world.person("caseworker")
    query = f'{{ node(id: "{signatory.id}") {{ ... on User {{ colleagues {{ email }} }} }} }}'
    # when the caseworker asks for the signatory's colleagues
    data = await world.client.data(query, token=caseworker.token)
    # then
    assert data["node"]["colleagues"] == []


async def test_a_local_authority_shows_its_short_code(world: World) -> None:
    # given
    caseworker = await world.person("caseworker")
    # when
    data = await world.client.data(
        "{ organisations(kind: LOCAL_AUTHORITY) { name code } }", token=caseworker.token
    )
    # then
    assert data["organisations"] == [{"name": "Birmingham", "code": "BIR"}]

"""Finding 18: the other side of a case sees a person's name, organisation and work email
(they need to talk), not their roles or sign-in details; ``node(User)`` and every path to a
person (a message's author, an IPA's signatory) agree."""

from __future__ import annotations

from tests.messages.conftest import Scene, scene  # noqa: F401  (the fixture)
from tests.messages.operations import SEND, message

AUTHORS = """
query ($id: ID!, $providerId: ID) {
  node(id: $id) { ... on Referral { thread(providerId: $providerId) {
    messages { author { id name email organisation { name } roles totpEnabled } }
  } } }
}"""
USER = "query ($id: ID!) { node(id: $id) { ... on User { id roles } } }"


async def test_the_provider_sees_no_roles_or_sign_in_details_of_the_las_author(
    scene: Scene,  # noqa: F811
    client,
) -> None:
    # given a message from the LA's caseworker to the provider
    sent = (
        await client.data(
            SEND,
            message(scene.referral_id, "Can you call me?", providerId=scene.provider.id),
            token=scene.caseworker.token,
        )
    )["sendMessage"]
    assert sent["userErrors"] == []

    # when the provider reads the thread, and asks for the author directly
    data = await client.data(AUTHORS, {"id": scene.referral_id}, token=scene.provider.admin.token)
    author = data["node"]["thread"]["messages"][0]["author"]
    direct = await client.data(USER, {"id": author["id"]}, token=scene.provider.admin.token)

    # then
    assert author["name"] and author["email"] == scene.caseworker.email
    assert author["roles"] == []
    assert author["totpEnabled"] is False
    assert direct["node"] is None


async def test_the_las_own_staff_see_their_colleagues_roles(
    scene: Scene,  # noqa: F811
    client,
) -> None:
    # given
    await client.data(
        SEND,
        message(scene.referral_id, "Note", providerId=scene.provider.id),
        token=scene.caseworker.token,
    )

    # when
    data = await client.data(
        AUTHORS,
        {"id": scene.referral_id, "providerId": scene.provider.id},
        token=scene.la_admin.token,
    )

    # then
    author = data["node"]["thread"]["messages"][0]["author"]
    assert author["roles"] == ["LA_CASEWORKER"]
    assert author["totpEnabled"] is True

"""Attachments (both parties download them, nobody else) and lists without N+1."""

from __future__ import annotations

from core.querycount import count_queries
from tests.graphql_client import GraphQLClient
from tests.messages.conftest import Scene, sent_referral
from tests.messages.operations import SEND, THREAD, message
from tests.people import Person
from tests.registration.helpers import PDF, UPLOAD_DOCUMENT, upload_data


async def _uploaded(client: GraphQLClient, person: Person, kind: str, name: str) -> dict:
    data = await upload_data(
        client.http, UPLOAD_DOCUMENT, {"kind": kind}, filename=name, data=PDF, token=person.token
    )
    assert data["uploadDocument"]["userErrors"] == []
    return data["uploadDocument"]["document"]


async def _download(client: GraphQLClient, person: Person, document_id: str) -> int:
    response = await client.http.get(
        f"/documents/{document_id}", headers={"Authorization": f"Bearer {person.token}"}
    )
    return response.status_code


async def test_both_parties_download_an_attachment_and_no_one_else(
    scene: Scene, client: GraphQLClient
) -> None:
    # given: the LA's own document, which no provider may see yet
    document = await _uploaded(client, scene.caseworker, "OTHER", "care-plan.pdf")
    assert await _download(client, scene.provider_user, document["id"]) == 404
    # when
    sent = await client.data(
        SEND,
        message(
            scene.referral_id,
            "The care plan is attached.",
            providerId=scene.provider.id,
            documentIds=[document["id"]],
        ),
        token=scene.caseworker.token,
    )
    # then
    assert sent["sendMessage"]["message"]["documents"] == [
        {"id": document["id"], "name": "care-plan.pdf"}
    ]
    thread = (
        await client.data(THREAD, {"id": scene.referral_id}, token=scene.provider_user.token)
    )["node"]["thread"]
    assert [d["name"] for d in thread["messages"][0]["documents"]] == ["care-plan.pdf"]
    assert await _download(client, scene.provider_user, document["id"]) == 200
    assert await _download(client, scene.la_admin, document["id"]) == 200
    assert await _download(client, scene.outsider.admin, document["id"]) == 404
    assert await _download(client, scene.stranger.admin, document["id"]) == 404


async def test_only_the_authors_own_documents_can_be_attached(
    scene: Scene, client: GraphQLClient
) -> None:
    # given: a document of another organisation
    theirs = await _uploaded(client, scene.outsider.admin, "OTHER", "theirs.pdf")
    mine = await _uploaded(client, scene.provider.admin, "OTHER", "ours.pdf")
    # when
    sent = await client.data(
        SEND,
        message(scene.referral_id, "See attached", documentIds=[mine["id"], theirs["id"]]),
        token=scene.provider.admin.token,
    )
    # then
    [error] = sent["sendMessage"]["userErrors"]
    assert (error["field"], error["code"]) == (["input", "documentIds", "1"], "NOT_FOUND")
    assert (await client.data(THREAD, {"id": scene.referral_id}, token=scene.provider.admin.token))[
        "node"
    ]["thread"] is None


LIST = """
{ referrals(first: 50) { edges { node { id thread {
    newCount messages { author { name } documents { name } isNew } } } } } }
"""


async def _referrals_with_threads(scene: Scene, client: GraphQLClient, n: int) -> None:
    document = await _uploaded(client, scene.caseworker, "OTHER", "plan.pdf")
    for _ in range(n):
        referral_id = await sent_referral(client, scene.caseworker)
        for person, extra in (
            (scene.caseworker, {"providerId": scene.provider.id, "documentIds": [document["id"]]}),
            (scene.provider.admin, {}),
        ):
            sent = await client.data(
                SEND, message(referral_id, "Hello", **extra), token=person.token
            )
            assert sent["sendMessage"]["userErrors"] == []


async def _statements(client: GraphQLClient, person: Person) -> tuple[int, int]:
    with count_queries() as counter:
        data = await client.data(LIST, token=person.token)
    threads = [e["node"]["thread"] for e in data["referrals"]["edges"] if e["node"]["thread"]]
    return counter.count, len(threads)


async def test_a_providers_referrals_with_threads_cost_the_same_statements_for_3_and_12(
    scene: Scene, client: GraphQLClient, people
) -> None:
    # given
    await _referrals_with_threads(scene, client, 3)
    few, threads = await _statements(client, scene.provider_user)
    assert threads == 3
    # when
    await _referrals_with_threads(scene, client, 9)
    many, threads = await _statements(client, scene.provider_user)
    # then
    assert threads == 12
    assert many == few

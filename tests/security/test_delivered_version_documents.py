"""Finding 4: a provider sees exactly the documents of the referral version it received."""

from __future__ import annotations

from tests.people import People
from tests.referrals.conftest import la  # noqa: F401  (the fixture)
from tests.referrals.homes import HomeSpec, provider_with_homes
from tests.referrals.operations import CREATE, SEND, UPDATE, referral_input
from tests.registration.helpers import PDF, UPLOAD_DOCUMENT, upload_data

DOCUMENTS = """
query ($id: ID!) { node(id: $id) { ... on Referral { version documents { id } } } }
"""


async def _form(client, la, content: bytes) -> str:  # noqa: F811
    data = await upload_data(
        client.http,
        UPLOAD_DOCUMENT,
        {"kind": "REFERRAL_FORM"},
        filename="form.pdf",
        data=content,
        token=la.caseworker.token,
    )
    return data["uploadDocument"]["document"]["id"]


async def test_a_form_added_after_delivery_is_not_the_providers_to_see(
    people: People,
    la,  # noqa: F811
    client,
) -> None:
    # given a referral sent with form A, then edited to carry form B too (not sent again)
    provider = await provider_with_homes(people, HomeSpec())
    first = await _form(client, la, PDF)
    second = await _form(client, la, PDF + b"% second")
    created = (
        await client.data(CREATE, referral_input(documentIds=[first]), token=la.caseworker.token)
    )["createReferral"]["referral"]
    await client.data(SEND, {"id": created["id"]}, token=la.caseworker.token)
    edited = await client.data(
        UPDATE,
        {"input": {"id": created["id"], "documentIds": [first, second]}},
        token=la.caseworker.token,
    )
    assert edited["updateReferral"]["userErrors"] == []

    # when the provider looks
    seen = (await client.data(DOCUMENTS, {"id": created["id"]}, token=provider.admin.token))["node"]
    download = await client.http.get(
        f"/documents/{second}", headers={"Authorization": f"Bearer {provider.admin.token}"}
    )

    # then
    assert seen["version"] == 1
    assert [d["id"] for d in seen["documents"]] == [first]
    assert download.status_code == 404


async def test_a_form_removed_after_delivery_stays_the_providers_to_see(
    people: People,
    la,  # noqa: F811
    client,
) -> None:
    # given a referral sent with form A, then edited to carry none (not sent again)
    provider = await provider_with_homes(people, HomeSpec())
    first = await _form(client, la, PDF)
    created = (
        await client.data(CREATE, referral_input(documentIds=[first]), token=la.caseworker.token)
    )["createReferral"]["referral"]
    await client.data(SEND, {"id": created["id"]}, token=la.caseworker.token)
    await client.data(
        UPDATE, {"input": {"id": created["id"], "documentIds": []}}, token=la.caseworker.token
    )

    # when
    seen = (await client.data(DOCUMENTS, {"id": created["id"]}, token=provider.admin.token))["node"]
    download = await client.http.get(
        f"/documents/{first}", headers={"Authorization": f"Bearer {provider.admin.token}"}
    )

    # then
    assert [d["id"] for d in seen["documents"]] == [first]
    assert download.status_code == 200

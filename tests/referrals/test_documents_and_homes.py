"""Why a provider received a referral (matched homes), and the LA's referral forms."""

from tests.people import People
from tests.referrals.homes import HomeSpec, provider_with_homes
from tests.referrals.operations import CREATE, SEND, referral_input
from tests.registration.helpers import PDF, UPLOAD_DOCUMENT, upload_data

MINE = """
query ($id: ID!) { node(id: $id) { ... on Referral {
  documents { id name downloadUrl }
  myDelivery { matchedHomes { name category } }
  deliveries { matchedHomes { name } }
} } }"""


async def _referral_form(client, la) -> dict:
    data = await upload_data(
        client.http,
        UPLOAD_DOCUMENT,
        {"kind": "REFERRAL_FORM"},
        filename="referral-form.pdf",
        data=PDF,
        token=la.caseworker.token,
    )
    assert data["uploadDocument"]["userErrors"] == []
    return data["uploadDocument"]["document"]


async def test_a_delivery_lists_the_homes_that_matched(people: People, la, client) -> None:
    provider = await provider_with_homes(
        people,
        HomeSpec(name="Oak"),
        HomeSpec(name="Ash", min_age=15),
        HomeSpec(name="Elm", category="FOSTERING"),
    )
    created = (await client.data(CREATE, referral_input(), token=la.caseworker.token))[
        "createReferral"
    ]["referral"]
    await client.data(SEND, {"id": created["id"]}, token=la.caseworker.token)
    data = await client.data(MINE, {"id": created["id"]}, token=provider.admin.token)
    assert data["node"]["myDelivery"]["matchedHomes"] == [
        {"name": "Oak", "category": "RESIDENTIAL"}
    ]
    la_view = await client.data(MINE, {"id": created["id"]}, token=la.caseworker.token)
    assert la_view["node"]["deliveries"] == [{"matchedHomes": [{"name": "Oak"}]}]


async def test_a_referral_form_is_downloadable_by_recipients_only(
    people: People, la, client
) -> None:
    # given a referral with the LA's form, delivered to one provider and not another
    form = await _referral_form(client, la)
    recipient = await provider_with_homes(people, HomeSpec())
    outsider = await provider_with_homes(people, HomeSpec("FOSTERING"))
    created = (
        await client.data(
            CREATE, referral_input(documentIds=[form["id"]]), token=la.caseworker.token
        )
    )["createReferral"]
    assert created["userErrors"] == []
    await client.data(SEND, {"id": created["referral"]["id"]}, token=la.caseworker.token)
    # when each asks for the form
    seen = await client.data(MINE, {"id": created["referral"]["id"]}, token=recipient.admin.token)
    url = seen["node"]["documents"][0]["downloadUrl"]
    path = url.split("8000", 1)[-1] if url.startswith("http") else url
    as_recipient = await client.http.get(
        path, headers={"Authorization": f"Bearer {recipient.admin.token}"}
    )
    as_outsider = await client.http.get(
        path, headers={"Authorization": f"Bearer {outsider.admin.token}"}
    )
    # then
    assert as_recipient.status_code == 200 and as_recipient.content == PDF
    assert as_outsider.status_code == 404


async def test_only_the_las_own_documents_can_be_attached(people: People, la, client) -> None:
    other_la = await people.local_authority("Coventry", "COV", ("RESIDENTIAL",))
    other = await people.caseworker(other_la)
    foreign = (
        await upload_data(
            client.http,
            UPLOAD_DOCUMENT,
            {"kind": "REFERRAL_FORM"},
            filename="f.pdf",
            data=PDF,
            token=other.token,
        )
    )["uploadDocument"]["document"]
    data = await client.data(
        CREATE, referral_input(documentIds=[foreign["id"]]), token=la.caseworker.token
    )
    error = data["createReferral"]["userErrors"][0]
    assert error["code"] == "NOT_FOUND"
    assert error["field"] == ["input", "documentIds", "0"]

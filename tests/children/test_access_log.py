"""The access log: one row per object read per request, on every read path; who sees which
rows; append-only; nothing lost at a clean stop."""

from __future__ import annotations

import pytest
from asgi_lifespan import LifespanManager
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError, IntegrityError

from core.db import Database
from core.settings import Settings
from schema.app import create_app
from schema.node import encode_id
from tests.children.conftest import Children, referral_id
from tests.ipas.helpers import attachment, ready
from tests.messages.operations import SEND as SEND_MESSAGE
from tests.messages.operations import message
from tests.referrals.operations import CREATE, referral_input

PROVIDER_LIST = """
query { referrals(first: 50) { edges { node { id summary version } } } }
"""
TWICE = """
query ($id: ID!) {
  referrals(first: 50) { edges { node { id summary } } }
  again: node(id: $id) { ... on Referral { id summary } }
}"""
NODE_REFERRAL = "query ($id: ID!) { node(id: $id) { ... on Referral { id summary } } }"
NODE_OFFER = "query ($id: ID!) { node(id: $id) { ... on Offer { id coreFee } } }"
NODE_IPA = "query ($id: ID!) { node(id: $id) { ... on IndividualPlacementAgreement { id terms } } }"
THREAD = """
query ($id: ID!, $provider: ID) {
  node(id: $id) { ... on Referral { thread(providerId: $provider) { id messages { body } } } }
}"""
ACCESS_LOG = """
query ($id: ID!, $first: Int, $after: String) {
  referralAccessLog(referralId: $id, first: $first, after: $after) {
    totalCount
    pageInfo { hasNextPage endCursor }
    edges { node { id subjectType subjectId version channel organisation { id } user { id } apiToken { id } } }
  }
}"""
CREATE_TOKEN = """
mutation { createApiToken(input: {name: "Case system"}) { token userErrors { field message code } } }
"""


async def test_a_provider_reading_its_list_writes_one_row_per_referral(given: Children) -> None:
    # given
    s = given.scene
    first, _ = await s.referral()
    second, _ = await s.referral()

    # when
    await s.client.data(PROVIDER_LIST, token=s.provider.admin.token)

    # then
    rows = await given.logged(organisation_id=s.provider.organisation_id)
    assert sorted(r.subject_id for r in rows) == sorted([first, second])
    assert {(r.subject_type, r.channel, r.version, r.user_id) for r in rows} == {
        ("REFERRAL", "API", 1, s.provider.admin.user_id)
    }
    assert {r.client_address for r in rows} == {"127.0.0.1"}


async def test_a_referral_read_twice_in_one_request_is_one_row(given: Children) -> None:
    # given
    s = given.scene
    key, _ = await s.referral()

    # when
    await s.client.data(TWICE, {"id": referral_id(key)}, token=s.provider.admin.token)

    # then
    assert len(await given.logged(organisation_id=s.provider.organisation_id)) == 1


async def test_each_request_writes_its_own_row(given: Children) -> None:
    # given
    s = given.scene
    key, _ = await s.referral()
    before = await given.logged(user_id=s.caseworker.user_id, subject_type="REFERRAL")

    # when
    for _ in range(2):
        await s.client.data(NODE_REFERRAL, {"id": referral_id(key)}, token=s.caseworker.token)

    # then
    rows = await given.logged(user_id=s.caseworker.user_id, subject_type="REFERRAL")
    assert len(rows) == len(before) + 2


async def test_reading_an_offer_writes_an_offer_row(given: Children) -> None:
    # given
    s = given.scene
    offer = await s.offer()
    before = await given.logged(user_id=s.caseworker.user_id)

    # when
    await s.client.data(NODE_OFFER, {"id": encode_id("Offer", offer)}, token=s.caseworker.token)

    # then
    rows = await given.logged(user_id=s.caseworker.user_id)
    assert [(r.subject_type, r.subject_id, r.version) for r in rows[len(before) :]] == [
        ("OFFER", offer, 1)
    ]


async def test_reading_an_ipa_writes_an_ipa_row(given: Children) -> None:
    # given
    s = given.scene
    ipa = await ready(s)
    before = len(await given.logged(user_id=s.la_signatory.user_id))

    # when
    await s.client.data(NODE_IPA, {"id": ipa["id"]}, token=s.la_signatory.token)

    # then
    rows = await given.logged(user_id=s.la_signatory.user_id)
    assert len(rows) == before + 1
    assert rows[-1].subject_type == "IPA"


async def test_reading_messages_writes_a_thread_row(given: Children) -> None:
    # given
    s = given.scene
    key, _ = await s.referral()
    sent = await s.client.data(
        SEND_MESSAGE, message(referral_id(key)), token=s.provider.admin.token
    )
    assert not sent["sendMessage"]["userErrors"]

    # when
    await s.client.data(
        THREAD,
        {"id": referral_id(key), "provider": s.provider.id},
        token=s.caseworker.token,
    )

    # then
    rows = await given.logged(user_id=s.caseworker.user_id, subject_type="MESSAGE_THREAD")
    assert len(rows) == 1 and rows[0].referral_id == key


async def test_a_document_download_writes_a_download_row(given: Children) -> None:
    # given
    s = given.scene
    form = await attachment(s, "referral-form.pdf", kind="REFERRAL_FORM")
    created = await s.client.data(
        CREATE, referral_input(documentIds=[form]), token=s.caseworker.token
    )
    referral = created["createReferral"]["referral"]["id"]

    # when
    response = await s.client.http.get(
        f"/documents/{form}", headers={"Authorization": f"Bearer {s.caseworker.token}"}
    )

    # then
    assert response.status_code == 200
    rows = await given.logged(user_id=s.caseworker.user_id, subject_type="DOCUMENT")
    assert [(r.channel, encode_id("Referral", r.referral_id)) for r in rows] == [
        ("DOWNLOAD", referral)
    ]


async def test_a_print_view_writes_a_print_row(given: Children) -> None:
    # given
    s = given.scene
    offer = await s.offer()

    # when
    response = await s.client.http.get(
        f"/offers/{encode_id('Offer', offer)}/print",
        headers={"Authorization": f"Bearer {s.caseworker.token}"},
    )

    # then
    assert response.status_code == 200
    rows = await given.logged(user_id=s.caseworker.user_id, channel="PRINT")
    assert [(r.subject_type, r.subject_id) for r in rows] == [("OFFER", offer)]


async def test_an_api_token_read_is_recorded_with_the_token(given: Children) -> None:
    # given
    s = given.scene
    key, _ = await s.referral()
    token = (await s.client.data(CREATE_TOKEN, token=given.la_admin.token))["createApiToken"]

    # when
    await s.client.data(NODE_REFERRAL, {"id": referral_id(key)}, token=token["token"])

    # then
    rows = [r for r in await given.logged(subject_id=key) if r.api_token_id is not None]
    assert len(rows) == 1
    assert rows[0].user_id is None and rows[0].organisation_id == s.la_id


async def test_la_admins_see_every_read_and_provider_admins_their_own(given: Children) -> None:
    # given
    s = given.scene
    key, _ = await s.referral()
    other = await given.people.provider_admin()  # a provider the referral never reached
    await s.client.data(NODE_REFERRAL, {"id": referral_id(key)}, token=s.provider.admin.token)
    await s.client.data(NODE_REFERRAL, {"id": referral_id(key)}, token=s.caseworker.token)
    await given.app.state.access_log.flush()

    # when
    la_view = await s.client.data(ACCESS_LOG, {"id": referral_id(key)}, token=given.la_admin.token)
    provider_view = await s.client.data(
        ACCESS_LOG, {"id": referral_id(key)}, token=s.provider.admin.token
    )
    stranger_view = await s.client.data(ACCESS_LOG, {"id": referral_id(key)}, token=other.token)
    caseworker_view = await s.client.data(
        ACCESS_LOG, {"id": referral_id(key)}, token=s.caseworker.token
    )

    # then
    organisations = {e["node"]["organisation"]["id"] for e in la_view["referralAccessLog"]["edges"]}
    assert organisations == {s.provider.id, encode_id("Organisation", s.la_id)}
    provider_rows = provider_view["referralAccessLog"]["edges"]
    assert provider_rows and {e["node"]["organisation"]["id"] for e in provider_rows} == {
        s.provider.id
    }
    assert stranger_view["referralAccessLog"]["totalCount"] == 0
    assert caseworker_view["referralAccessLog"]["totalCount"] == 0


async def test_the_access_log_pages_newest_first(given: Children) -> None:
    # given
    s = given.scene
    key, _ = await s.referral()
    for _ in range(3):
        await s.client.data(NODE_REFERRAL, {"id": referral_id(key)}, token=s.caseworker.token)
    await given.app.state.access_log.flush()

    # when
    first = (
        await s.client.data(
            ACCESS_LOG, {"id": referral_id(key), "first": 2}, token=given.la_admin.token
        )
    )["referralAccessLog"]
    rest = (
        await s.client.data(
            ACCESS_LOG,
            {"id": referral_id(key), "first": 100, "after": first["pageInfo"]["endCursor"]},
            token=given.la_admin.token,
        )
    )["referralAccessLog"]

    # then
    ids = [e["node"]["id"] for e in first["edges"] + rest["edges"]]
    assert first["pageInfo"]["hasNextPage"] is True
    assert len(ids) == len(set(ids)) == first["totalCount"]


@pytest.mark.parametrize(
    "statement",
    ["UPDATE access_log SET channel = 'WEB'", "DELETE FROM access_log"],
)
async def test_the_database_refuses_to_change_the_log(
    given: Children, db: Database, statement: str
) -> None:
    # given
    s = given.scene
    key, _ = await s.referral()
    await s.client.data(NODE_REFERRAL, {"id": referral_id(key)}, token=s.caseworker.token)
    assert await given.logged()

    # when / then
    with pytest.raises((IntegrityError, DBAPIError)):
        async with db.transaction() as session:
            await session.execute(text(statement))
    assert await given.logged()


async def test_reads_pending_at_a_clean_stop_are_all_written(
    given: Children, settings: Settings, registry: object, db: Database
) -> None:
    # given: a second app whose writer would not write for an hour
    s = given.scene
    key, _ = await s.referral()
    before = len(await given.logged(user_id=s.caseworker.user_id, subject_id=key))
    app = create_app(settings, registry=registry)  # type: ignore[arg-type]
    async with LifespanManager(app) as manager:
        log = app.state.access_log
        log.flush_seconds = 3600
        import httpx

        transport = httpx.ASGITransport(app=manager.app, client=("127.0.0.1", 51000))
        async with httpx.AsyncClient(transport=transport, base_url="http://127.0.0.1:8000") as h:
            for _ in range(3):
                response = await h.post(
                    "/graphql",
                    json={"query": NODE_REFERRAL, "variables": {"id": referral_id(key)}},
                    headers={"Authorization": f"Bearer {s.caseworker.token}"},
                )
                assert response.status_code == 200
        pending = log.pending
        assert pending == 3

    # when the app stopped cleanly (the lifespan ended): then
    rows = await given.logged(user_id=s.caseworker.user_id, subject_id=key)
    assert len(rows) == before + 3

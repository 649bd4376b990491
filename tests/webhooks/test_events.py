"""Each event an LA's system can choose is written for its endpoint by the change it reports."""

from core.identity.roles import Role
from tests.graphql_client import GraphQLClient
from tests.ipas.given import offer_id, scene
from tests.ipas.operations import ENABLE, GENERATE, SIGN
from tests.messages.operations import SEND as SEND_MESSAGE
from tests.messages.operations import message
from tests.offers.helpers import WITHDRAW, pilot_la, ready_provider, sent_referral, submitted
from tests.people import People
from tests.registration.helpers import UPLOAD_SPREADSHEET, fill, template, upload_data
from tests.webhooks.helpers import ALL_EVENTS, LocalAuthority, deliveries, endpoint

URL = "http://127.0.0.1:9/hooks"  # never called: these tests only read what was written


async def test_offers_and_messages_reach_the_las_endpoint(
    client: GraphQLClient, people: People
) -> None:
    # given an LA with an endpoint for every event, and a provider that received a referral
    la = await pilot_la(people)
    admin = await people.la_admin(la.id)
    await endpoint(client, LocalAuthority(la.id, admin, la.caseworker), URL, ALL_EVENTS)
    provider = await ready_provider(people)
    referral = await sent_referral(client, la)
    # when the provider offers, writes, and withdraws its offer
    offer = await submitted(client, referral, provider)
    written = await client.data(SEND_MESSAGE, message(referral), token=provider.admin.token)
    assert written["sendMessage"]["userErrors"] == []
    withdrawn = await client.data(WITHDRAW, {"id": offer["id"]}, token=provider.admin.token)
    assert withdrawn["withdrawOffer"]["userErrors"] == []
    # and the LA writes back (its own message is not an event for it)
    reply = await client.data(
        SEND_MESSAGE, message(referral, providerId=provider.id), token=la.caseworker.token
    )
    assert reply["sendMessage"]["userErrors"] == []
    # then
    shown = await deliveries(client, LocalAuthority(la.id, admin, la.caseworker))
    events = sorted((d["event"], d["subjectId"]) for d in shown)
    message_id = written["sendMessage"]["message"]["id"]
    assert ("OFFER_SUBMITTED", offer["id"]) in events
    assert ("OFFER_WITHDRAWN", offer["id"]) in events
    assert ("MESSAGE_RECEIVED", message_id) in events
    assert sorted(e for e, _ in events) == [
        "MESSAGE_RECEIVED",
        "OFFER_SUBMITTED",
        "OFFER_WITHDRAWN",
        "REFERRAL_DELIVERED",
    ]


async def test_ipas_ready_and_signed_reach_the_las_endpoint(
    client: GraphQLClient, people: People
) -> None:
    # given an accepted offer and an LA endpoint for IPA events
    world = await scene(people, client)
    admin = await people.signed_in(world.la_id, Role.LA_ADMIN)
    la = LocalAuthority(world.la_id, admin, world.caseworker)
    await endpoint(client, la, URL, ["IPA_READY_TO_SIGN", "IPA_SIGNED"])
    accepted = await world.offer()
    # when the IPA is made, enabled for signing and signed by both sides
    ipa = (await client.data(GENERATE, {"id": offer_id(accepted)}, token=world.caseworker.token))[
        "generateIpa"
    ]["ipa"]
    await client.data(ENABLE, {"id": ipa["id"]}, token=world.caseworker.token)
    for signatory in (world.la_signatory, world.provider_signatory):
        signed = await client.data(SIGN, {"id": ipa["id"]}, token=signatory.token)
        assert signed["signIpa"]["userErrors"] == []
    # then
    shown = await deliveries(client, la)
    assert sorted((d["event"], d["subjectId"]) for d in shown) == [
        ("IPA_READY_TO_SIGN", ipa["id"]),
        ("IPA_SIGNED", ipa["id"]),
    ]


async def test_a_submitted_registration_reaches_the_managing_las_endpoint(
    client: GraphQLClient, people: People
) -> None:
    # given Birmingham listening for registrations, and a provider admin
    la_id = await people.local_authority("Birmingham", "BIR")
    admin = await people.signed_in(la_id, Role.LA_ADMIN)
    la = LocalAuthority(la_id, admin, admin)
    await endpoint(client, la, URL, ["REGISTRATION_SUBMITTED"])
    provider_admin = await people.provider_admin()
    # when the provider uploads its spreadsheet naming Birmingham
    data = fill(await template(client.http))
    result = (
        await upload_data(
            client.http,
            UPLOAD_SPREADSHEET,
            {},
            filename="registration.xlsx",
            data=data,
            token=provider_admin.token,
        )
    )["uploadRegistrationSpreadsheet"]
    assert result["userErrors"] == [], result["userErrors"]
    # then
    [shown] = await deliveries(client, la)
    assert (shown["event"], shown["subjectId"]) == (
        "REGISTRATION_SUBMITTED",
        result["registration"]["id"],
    )

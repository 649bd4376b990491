"""IPAs and offers end to end, through the API only: an IPA drawn from an accepted offer, the
offer revised (its IPA superseded), the revision accepted and a new IPA drawn from it."""

from tests.ipas.operations import GENERATE, IPAS, REFERRAL_IPA
from tests.offers.helpers import ACCEPT, REVISE, pilot_la, ready_provider, sent_referral, submitted
from tests.people import People

IPA_OFFER = """
query ($id: ID!) { node(id: $id) { ... on IndividualPlacementAgreement { offer { id coreFee status } } } }
"""


async def test_revising_an_accepted_offer_supersedes_its_ipa_and_the_revision_gets_a_new_one(
    people: People, client
) -> None:
    # given an IPA drawn from an accepted offer
    la = await pilot_la(people)
    provider = await ready_provider(people)
    referral = await sent_referral(client, la)
    offer = await submitted(client, referral, provider, coreFee="4200.00")
    await client.data(ACCEPT, {"id": offer["id"]}, token=la.caseworker.token)
    first = (await client.data(GENERATE, {"id": offer["id"]}, token=la.caseworker.token))[
        "generateIpa"
    ]
    assert first["userErrors"] == []
    drawn_from = await client.data(IPA_OFFER, {"id": first["ipa"]["id"]}, token=la.caseworker.token)
    assert drawn_from["node"]["offer"] == {
        "id": offer["id"],
        "coreFee": "4200.00",
        "status": "ACCEPTED",
    }
    # when the provider revises the fee and the LA accepts the revision
    revised = (
        await client.data(
            REVISE, {"input": {"id": offer["id"], "coreFee": "4400"}}, token=provider.admin.token
        )
    )["reviseAcceptedOffer"]
    assert revised["userErrors"] == []
    await client.data(ACCEPT, {"id": revised["offer"]["id"]}, token=la.caseworker.token)
    second = (
        await client.data(GENERATE, {"id": revised["offer"]["id"]}, token=la.caseworker.token)
    )["generateIpa"]
    # then the first IPA is superseded and the new one carries the revised fee
    assert second["userErrors"] == []
    assert second["ipa"]["terms"]["coreFee"] == "4400.00"
    statuses = {
        i["id"]: i["status"] for i in (await client.data(IPAS, token=la.caseworker.token))["ipas"]
    }
    assert statuses == {first["ipa"]["id"]: "SUPERSEDED", second["ipa"]["id"]: "DRAFT"}
    current = await client.data(REFERRAL_IPA, {"id": referral}, token=la.caseworker.token)
    assert current["node"]["ipa"] == {"id": second["ipa"]["id"], "status": "DRAFT"}

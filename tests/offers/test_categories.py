"""What the categories add to offers: the fostering family saved for auto-fill, and supported
accommodation's references to the provider's own appendix documents."""

from __future__ import annotations

from core.documents.kinds import DocumentKind
from tests.offers.helpers import (
    FAMILIES,
    FAMILY,
    SUBMIT,
    UPDATE,
    add_document,
    document_id,
    offer_input,
    ready_provider,
    sent_referral,
    submitted,
)
from tests.people import People
from tests.referrals.homes import HomeSpec

FOSTERING = (
    DocumentKind.INSURANCE,
    DocumentKind.OFSTED_CERTIFICATE,
)


async def _fostering(people: People, la, client):
    provider = await ready_provider(
        people, HomeSpec("FOSTERING", min_age=0, max_age=17), documents=FOSTERING
    )
    referral = await sent_referral(client, la, "FOSTERING")
    return provider, referral


async def test_a_fostering_offers_family_is_saved_for_auto_fill(people: People, la, client) -> None:
    # given
    provider, referral = await _fostering(people, la, client)
    # when
    await submitted(client, referral, provider, details={"family": FAMILY})
    # then
    [family] = (await client.data(FAMILIES, {}, token=provider.admin.token))["fosteringFamilies"]
    assert family["label"] == "The Khan family"
    assert family["details"] == FAMILY
    assert family["lastUsedAt"] is not None


async def test_a_fostering_offer_without_a_family_is_refused_at_its_path(
    people: People, la, client
) -> None:
    # given
    provider, referral = await _fostering(people, la, client)
    # when
    result = (
        await client.data(
            SUBMIT,
            offer_input(referral, provider, details={"family": {"label": "The Walshes"}}),
            token=provider.admin.token,
        )
    )["submitOffer"]
    # then
    assert [e["field"] for e in result["userErrors"]] == [["input", "details", "family"]]
    assert "carers" in result["userErrors"][0]["message"]


async def test_saved_families_come_most_recently_used_first_and_search_by_label(
    people: People, la, client
) -> None:
    # given two offers on two referrals, the Walsh family's last
    provider, first = await _fostering(people, la, client)
    second = await sent_referral(client, la, "FOSTERING")
    await submitted(client, first, provider, details={"family": FAMILY})
    walsh = {"label": "The Walsh family", "carers": [{"name": "Sean Walsh"}]}
    await submitted(client, second, provider, details={"family": walsh})
    # when
    everyone = (await client.data(FAMILIES, {}, token=provider.admin.token))["fosteringFamilies"]
    found = (await client.data(FAMILIES, {"search": "KHAN"}, token=provider.admin.token))[
        "fosteringFamilies"
    ]
    # then
    assert [f["label"] for f in everyone] == ["The Walsh family", "The Khan family"]
    assert [f["label"] for f in found] == ["The Khan family"]


async def test_an_offer_naming_a_saved_family_updates_it(people: People, la, client) -> None:
    # given a saved family
    provider, first = await _fostering(people, la, client)
    second = await sent_referral(client, la, "FOSTERING")
    await submitted(client, first, provider, details={"family": FAMILY})
    [saved] = (await client.data(FAMILIES, {}, token=provider.admin.token))["fosteringFamilies"]
    # when the next offer reuses it with a change
    changed = {**FAMILY, "label": "The Khans", "bedrooms": 3}
    await submitted(
        client, second, provider, details={"family": changed}, fosteringFamilyId=saved["id"]
    )
    # then
    [family] = (await client.data(FAMILIES, {}, token=provider.admin.token))["fosteringFamilies"]
    assert family["id"] == saved["id"]
    assert family["details"]["bedrooms"] == 3
    assert family["label"] == "The Khans"


async def test_another_providers_saved_family_is_not_found(people: People, la, client) -> None:
    # given another fostering provider's family
    provider, referral = await _fostering(people, la, client)
    other, elsewhere = await _fostering(people, la, client)
    await submitted(client, elsewhere, other, details={"family": FAMILY})
    [theirs] = (await client.data(FAMILIES, {}, token=other.admin.token))["fosteringFamilies"]
    # when
    result = (
        await client.data(
            SUBMIT,
            offer_input(
                referral, provider, details={"family": FAMILY}, fosteringFamilyId=theirs["id"]
            ),
            token=provider.admin.token,
        )
    )["submitOffer"]
    # then
    assert [(e["field"], e["code"]) for e in result["userErrors"]] == [
        (["input", "fosteringFamilyId"], "NOT_FOUND")
    ]
    assert (await client.data(FAMILIES, {}, token=provider.admin.token))["fosteringFamilies"] == []


async def test_updating_the_family_of_an_offer_updates_the_saved_family(
    people: People, la, client
) -> None:
    # given
    provider, referral = await _fostering(people, la, client)
    offer = await submitted(client, referral, provider, details={"family": FAMILY})
    # when
    changed = {**FAMILY, "pets": "One old cat"}
    await client.data(
        UPDATE,
        {"input": {"id": offer["id"], "details": {"family": changed}}},
        token=provider.admin.token,
    )
    # then
    [family] = (await client.data(FAMILIES, {}, token=provider.admin.token))["fosteringFamilies"]
    assert family["details"]["pets"] == "One old cat"


async def test_la_staff_have_no_saved_families(people: People, la, client) -> None:
    # given
    provider, referral = await _fostering(people, la, client)
    await submitted(client, referral, provider, details={"family": FAMILY})
    # when
    data = await client.data(FAMILIES, {}, token=la.caseworker.token)
    # then
    assert data["fosteringFamilies"] == []


async def _supported(people: People, la, client):
    provider = await ready_provider(
        people, HomeSpec("SUPPORTED_ACCOMMODATION", min_age=16, max_age=17), documents=FOSTERING
    )
    referral = await sent_referral(client, la, "SUPPORTED_ACCOMMODATION")
    return provider, referral


async def test_an_offer_may_refer_to_the_providers_own_appendix(people: People, la, client) -> None:
    # given
    provider, referral = await _supported(people, la, client)
    appendix = await add_document(people, provider.organisation_id, DocumentKind.APPENDIX)
    details = {"accommodationType": "SHARED", "appendixDocumentIds": [document_id(appendix)]}
    # when
    offer = await submitted(client, referral, provider, details=details)
    # then
    assert offer["details"] == details


async def test_an_appendix_reference_that_is_not_the_providers_own_is_refused(
    people: People, la, client
) -> None:
    # given another provider's appendix, and one of its own documents that is no appendix
    provider, referral = await _supported(people, la, client)
    other = await ready_provider(people, documents=())
    theirs = await add_document(people, other.organisation_id, DocumentKind.APPENDIX)
    own_other = await add_document(people, provider.organisation_id, DocumentKind.OTHER)
    details = {"appendixDocumentIds": [document_id(theirs), document_id(own_other)]}
    # when
    result = (
        await client.data(
            SUBMIT, offer_input(referral, provider, details=details), token=provider.admin.token
        )
    )["submitOffer"]
    # then
    assert result["offer"] is None
    assert [(e["field"], e["code"]) for e in result["userErrors"]] == [
        (["input", "details", "appendixDocumentIds", "0"], "INVALID"),
        (["input", "details", "appendixDocumentIds", "1"], "INVALID"),
    ]

"""Generating an IPA from an accepted offer, and the LA's draft."""

from __future__ import annotations

import hashlib

import rfc8785

from schema.node import encode_id
from tests.ipas.given import DETAILS, Scene, offer_id
from tests.ipas.helpers import attachment, codes, enable, generate, update_draft
from tests.ipas.operations import ENABLE, GENERATE, UPDATE_DRAFT


async def test_the_terms_are_the_offers_and_the_referrals_data(ipa_scene: Scene) -> None:
    # given
    s = ipa_scene
    referral_id, reference = await s.referral()
    offer = await s.offer(referral_id)
    # when
    ipa = await generate(s, offer)
    # then
    assert ipa["status"] == "DRAFT"
    assert ipa["contentHash"] is None
    assert ipa["referral"]["reference"] == reference
    assert ipa["terms"] == {
        "referralReference": reference,
        "localAuthority": {"name": "Birmingham", "code": "BIR"},
        "category": "RESIDENTIAL",
        "categoryLabel": "Residential",
        "urgency": "WITHIN_5_DAYS",
        "children": [{"age": 14, "gender": "FEMALE"}],
        "provider": {"name": "Acorn Care"},
        "home": {
            "name": "Oak House",
            "ofstedUrn": "SC123456",
            "postcode": "B1 1AA",
            "localAuthorityArea": "Birmingham",
            "contractType": "FRAMEWORK",
        },
        "currency": "GBP",
        "coreFee": "1250.00",
        "additionalCosts": [
            {
                "description": "One-to-one support, 10 hours",
                "amount": "250.50",
                "frequency": "WEEKLY",
            },
            {"description": "Bedroom set-up", "amount": "300.00", "frequency": "ONE_OFF"},
        ],
        "totalWeeklyFee": "1500.50",
        "oneOffCostsTotal": "300.00",
        "startDate": "2026-12-07",
        "offerDetails": DETAILS,
        "offerVersion": 1,
    }


async def test_only_an_accepted_offer_makes_an_ipa(ipa_scene: Scene) -> None:
    # given
    submitted = await ipa_scene.offer(status="SUBMITTED")
    # when
    payload = (
        await ipa_scene.client.data(
            GENERATE, {"id": offer_id(submitted)}, token=ipa_scene.caseworker.token
        )
    )["generateIpa"]
    # then
    assert codes(payload) == ["INVALID_STATE"]
    assert payload["ipa"] is None


async def test_a_referral_has_one_live_ipa(ipa_scene: Scene) -> None:
    # given
    offer = await ipa_scene.offer()
    await generate(ipa_scene, offer)
    # when
    again = (
        await ipa_scene.client.data(
            GENERATE, {"id": offer_id(offer)}, token=ipa_scene.caseworker.token
        )
    )["generateIpa"]
    # then
    assert codes(again) == ["CONFLICT"]


async def test_another_la_and_the_provider_cannot_generate_it(ipa_scene: Scene) -> None:
    # given
    s = ipa_scene
    offer = await s.offer()
    other_la = await s.people.local_authority("Coventry", "COV", ("RESIDENTIAL",))
    stranger = await s.people.caseworker(other_la)
    # when
    foreign = (await s.client.data(GENERATE, {"id": offer_id(offer)}, token=stranger.token))[
        "generateIpa"
    ]
    provider = (
        await s.client.data(GENERATE, {"id": offer_id(offer)}, token=s.provider_user.token)
    )["generateIpa"]
    # then
    assert codes(foreign) == ["NOT_FOUND"]
    assert codes(provider) == ["FORBIDDEN"]


async def test_the_la_adds_its_own_fields_and_attachments_to_the_draft(ipa_scene: Scene) -> None:
    # given
    s = ipa_scene
    ipa = await generate(s)
    care_plan = await attachment(s, "care-plan.pdf")
    risk = await attachment(s, "risk-assessment.pdf")
    fields = {
        "placementStartDate": "2026-12-08",
        "socialWorker": {"name": "Sam Jones", "email": "sam.jones@bham.example", "phone": "0121"},
        "additionalTerms": "Contact with her brother on Saturdays.",
    }
    # when
    payload = await update_draft(s, ipa["id"], fields=fields, documentIds=[risk, care_plan])
    # then
    assert payload["userErrors"] == []
    terms = payload["ipa"]["terms"]
    assert {k: terms[k] for k in fields} == fields
    assert terms["coreFee"] == "1250.00"
    assert [d["id"] for d in payload["ipa"]["documents"]] == [risk, care_plan]


async def test_a_null_field_removes_it_and_other_fields_stay(ipa_scene: Scene) -> None:
    # given
    s = ipa_scene
    ipa = await generate(s)
    await update_draft(s, ipa["id"], fields={"reviewDate": "2027-01-05", "additionalTerms": "x"})
    # when
    payload = await update_draft(s, ipa["id"], fields={"additionalTerms": None})
    # then
    terms = payload["ipa"]["terms"]
    assert "additionalTerms" not in terms
    assert terms["reviewDate"] == "2027-01-05"


async def test_offer_derived_terms_cannot_be_edited_in_the_draft(ipa_scene: Scene) -> None:
    # given
    s = ipa_scene
    ipa = await generate(s)
    # when
    payload = await update_draft(
        s, ipa["id"], fields={"coreFee": "900.00", "home": {"name": "Elm House"}}
    )
    # then
    assert codes(payload) == ["INVALID", "INVALID"]
    assert [e["field"] for e in payload["userErrors"]] == [
        ["input", "fields", "coreFee"],
        ["input", "fields", "home"],
    ]
    assert "revised offer" in payload["userErrors"][0]["message"]
    assert payload["ipa"] is None
    unchanged = await update_draft(s, ipa["id"], fields={})
    assert unchanged["ipa"]["terms"]["coreFee"] == "1250.00"


async def test_unknown_or_malformed_fields_are_refused_by_name(ipa_scene: Scene) -> None:
    # given
    ipa = await generate(ipa_scene)
    # when
    payload = await update_draft(
        ipa_scene,
        ipa["id"],
        fields={"favouriteColour": "blue", "reviewDate": "next week", "socialWorker": "Sam"},
    )
    # then
    assert {tuple(e["field"]) for e in payload["userErrors"]} == {
        ("input", "fields", "favouriteColour"),
        ("input", "fields", "reviewDate"),
        ("input", "fields", "socialWorker"),
    }
    assert set(codes(payload)) == {"INVALID"}


async def test_only_the_las_own_ipa_attachments_can_be_attached(ipa_scene: Scene) -> None:
    # given
    s = ipa_scene
    ipa = await generate(s)
    providers = await attachment(s, "insurance.pdf", token=s.provider_user.token, kind="INSURANCE")
    # when
    payload = await update_draft(s, ipa["id"], documentIds=[providers])
    # then
    assert codes(payload) == ["NOT_FOUND"]
    assert payload["userErrors"][0]["field"] == ["input", "documentIds", "0"]


async def test_enabling_fixes_the_hash_of_the_canonical_terms_and_documents(
    ipa_scene: Scene, db
) -> None:
    # given
    s = ipa_scene
    ipa = await generate(s)
    document = await attachment(s)
    drafted = (
        await update_draft(
            s, ipa["id"], fields={"additionalTerms": "Café £5 ✓"}, documentIds=[document]
        )
    )["ipa"]
    from sqlalchemy import select

    from core.models import Document
    from schema.node import decode_any_id

    async with db.session() as session:
        digest = await session.scalar(
            select(Document.sha256).where(Document.id == decode_any_id(document)[1])
        )
    canonical = rfc8785.dumps({"terms": drafted["terms"], "documents": [digest]})
    # when
    enabled = await enable(s, ipa["id"])
    # then
    assert enabled["status"] == "READY_FOR_SIGNING"
    assert enabled["enabledAt"]
    assert enabled["contentHash"] == hashlib.sha256(canonical).hexdigest()
    assert enabled["terms"] == drafted["terms"]


async def test_any_change_after_enabling_is_refused_and_the_hash_stays(ipa_scene: Scene) -> None:
    # given
    s = ipa_scene
    ipa = await generate(s)
    enabled = await enable(s, ipa["id"])
    document = await attachment(s)
    # when
    attempts = [
        await update_draft(s, ipa["id"], fields={"additionalTerms": "one more thing"}),
        await update_draft(s, ipa["id"], documentIds=[document]),
        await update_draft(s, ipa["id"], fields={"coreFee": "1.00"}),
        (await s.client.data(ENABLE, {"id": ipa["id"]}, token=s.caseworker.token))[
            "enableIpaForSigning"
        ],
    ]
    # then
    assert [codes(a) for a in attempts] == [["INVALID_STATE"]] * 4
    ipas = (
        await s.client.data(
            "query { ipas { id contentHash terms documents { id } } }", token=s.caseworker.token
        )
    )["ipas"]
    assert ipas == [
        {
            "id": ipa["id"],
            "contentHash": enabled["contentHash"],
            "terms": enabled["terms"],
            "documents": [],
        }
    ]


async def test_the_draft_cannot_be_changed_by_another_la(ipa_scene: Scene) -> None:
    # given
    s = ipa_scene
    ipa = await generate(s)
    other_la = await s.people.local_authority("Coventry", "COV", ("RESIDENTIAL",))
    stranger = await s.people.caseworker(other_la)
    # when
    payload = (
        await s.client.data(
            UPDATE_DRAFT,
            {"input": {"id": ipa["id"], "fields": {"additionalTerms": "x"}}},
            token=stranger.token,
        )
    )["updateIpaDraft"]
    # then
    assert codes(payload) == ["NOT_FOUND"]


async def test_an_ipa_id_of_another_type_is_not_found(ipa_scene: Scene) -> None:
    import uuid

    payload = (
        await ipa_scene.client.data(
            ENABLE, {"id": encode_id("Referral", uuid.uuid4())}, token=ipa_scene.caseworker.token
        )
    )["enableIpaForSigning"]
    assert codes(payload) == ["NOT_FOUND"]

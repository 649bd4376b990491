"""Superseding by a revised offer, and the database's own refusal to change a frozen IPA."""

from __future__ import annotations

import uuid

import pytest
from sqlalchemy import text, update
from sqlalchemy.exc import DBAPIError

from core.ipas.service import supersede_ipas_of_offer
from core.models import Offer
from schema.node import decode_any_id, encode_id
from tests.ipas.given import Scene
from tests.ipas.helpers import attachment, codes, generate, ready, sign, update_draft
from tests.ipas.operations import GENERATE, IPAS, REFERRAL_IPA


def key(global_id: str) -> uuid.UUID:
    decoded = decode_any_id(global_id)
    assert decoded is not None
    return decoded[1]


async def _revise(s: Scene, db, old_offer: uuid.UUID) -> uuid.UUID:
    """What reviseAcceptedOffer does (built apart): supersede the offer and its IPA."""
    async with db.transaction() as session:
        offer = await session.get(Offer, old_offer)
        assert offer is not None
        referral_id = offer.referral_id
        await session.execute(
            update(Offer).where(Offer.id == old_offer).values(status="SUPERSEDED")
        )
        superseded = await supersede_ipas_of_offer(session, old_offer)
    assert len(superseded) == 1
    return await s.offer(referral_id, core_fee_pence=130000, supersedes_id=old_offer, version=2)


@pytest.mark.parametrize("signed", [False, True])
async def test_revising_the_offer_supersedes_its_ipa_and_a_new_one_follows(
    ipa_scene: Scene, db, signed: bool
) -> None:
    # given
    s = ipa_scene
    referral_id, _ = await s.referral()
    old_offer = await s.offer(referral_id)
    old = await ready(s, old_offer)
    if signed:
        await sign(s.la_signatory.token, s, old["id"])
        await sign(s.provider_signatory.token, s, old["id"])
    # when
    new_offer = await _revise(s, db, old_offer)
    new = (
        await s.client.data(
            GENERATE, {"id": encode_id("Offer", new_offer)}, token=s.caseworker.token
        )
    )["generateIpa"]
    # then
    assert new["userErrors"] == []
    assert new["ipa"]["terms"]["coreFee"] == "1300.00"
    assert new["ipa"]["terms"]["offerVersion"] == 2
    listed = {i["id"]: i for i in (await s.client.data(IPAS, token=s.caseworker.token))["ipas"]}
    assert listed[old["id"]]["status"] == "SUPERSEDED"
    assert listed[old["id"]]["contentHash"] == old["contentHash"]
    assert listed[old["id"]]["terms"] == old["terms"]
    referral = await s.client.data(
        REFERRAL_IPA, {"id": encode_id("Referral", referral_id)}, token=s.caseworker.token
    )
    assert referral["node"]["ipa"] == {"id": new["ipa"]["id"], "status": "DRAFT"}


async def test_superseding_an_offer_without_an_ipa_changes_nothing(ipa_scene: Scene, db) -> None:
    offer = await ipa_scene.offer()
    async with db.transaction() as session:
        assert await supersede_ipas_of_offer(session, offer) == []


async def test_a_superseded_draft_cannot_be_edited(ipa_scene: Scene, db) -> None:
    # given
    s = ipa_scene
    offer = await s.offer()
    draft = await generate(s, offer)
    async with db.transaction() as session:
        await supersede_ipas_of_offer(session, offer)
    # when
    payload = await update_draft(s, draft["id"], fields={"additionalTerms": "late"})
    # then
    assert codes(payload) == ["INVALID_STATE"]


# ---------------------------------------------------------------- the database refuses


def _sql(db, sqlite: str, postgres: str) -> str:
    return sqlite if db.is_sqlite else postgres


def _id(db, value: uuid.UUID) -> object:
    return value.hex if db.is_sqlite else value


async def _raw(db, statement: str, **params) -> None:
    async with db.engine.begin() as connection:
        await connection.execute(text(statement), params)


async def _frozen(s: Scene, *, signed: bool) -> tuple[dict, uuid.UUID]:
    ipa = await generate(s)
    await update_draft(s, ipa["id"], documentIds=[await attachment(s)])
    from tests.ipas.helpers import enable

    ipa = await enable(s, ipa["id"])
    await sign(s.la_signatory.token, s, ipa["id"])
    if signed:
        await sign(s.provider_signatory.token, s, ipa["id"])
    return ipa, key(ipa["id"])


REFUSED = [
    (
        "terms",
        "UPDATE ipas SET terms = json_set(terms, '$.coreFee', '1.00') WHERE id = :id",
        "UPDATE ipas SET terms = jsonb_set(terms, '{coreFee}', '\"1.00\"') WHERE id = :id",
    ),
    ("hash", "UPDATE ipas SET content_hash = 'x' WHERE id = :id", None),
    ("back to draft", "UPDATE ipas SET status = 'DRAFT' WHERE id = :id", None),
    ("delete", "DELETE FROM ipas WHERE id = :id", None),
    ("signature update", "UPDATE ipa_signatures SET content_hash = 'x' WHERE ipa_id = :id", None),
    (
        "signature signer",
        "UPDATE ipa_signatures SET signed_by_id = on_behalf_of_id WHERE ipa_id = :id",
        None,
    ),
    ("signature delete", "DELETE FROM ipa_signatures WHERE ipa_id = :id", None),
    ("document delete", "DELETE FROM ipa_documents WHERE ipa_id = :id", None),
    ("document reorder", "UPDATE ipa_documents SET position = 7 WHERE ipa_id = :id", None),
]


@pytest.mark.parametrize("signed", [False, True], ids=["ready", "signed"])
@pytest.mark.parametrize(("what", "sqlite", "postgres"), REFUSED, ids=[r[0] for r in REFUSED])
async def test_the_database_refuses_changing_a_frozen_ipa(
    ipa_scene: Scene, db, what: str, sqlite: str, postgres: str | None, signed: bool
) -> None:
    # given
    ipa, ipa_key = await _frozen(ipa_scene, signed=signed)
    statement = _sql(db, sqlite, postgres or sqlite)
    # when / then
    with pytest.raises(DBAPIError, match=r"frozen|cannot"):
        await _raw(db, statement, id=_id(db, ipa_key))
    listed = (await ipa_scene.client.data(IPAS, token=ipa_scene.caseworker.token))["ipas"]
    assert [
        (i["contentHash"], i["terms"], len(i["signatures"]), len(i["documents"])) for i in listed
    ] == [(ipa["contentHash"], ipa["terms"], 2 if signed else 1, 1)]


async def test_the_database_refuses_a_new_attachment_or_a_forged_signature(
    ipa_scene: Scene, db
) -> None:
    # given
    s = ipa_scene
    _, ipa_key = await _frozen(s, signed=False)
    document = key(await attachment(s, "late.pdf"))
    # when / then
    with pytest.raises(DBAPIError, match="frozen"):
        await _raw(
            db,
            "INSERT INTO ipa_documents (ipa_id, document_id, position) VALUES (:id, :doc, 5)",
            id=_id(db, ipa_key),
            doc=_id(db, document),
        )
    with pytest.raises(DBAPIError, match="hash"):
        await _raw(
            db,
            "INSERT INTO ipa_signatures (id, ipa_id, party, signed_by_id, content_hash, signed_at)"
            " VALUES (:sid, :id, 'PROVIDER', :user, 'forged', CURRENT_TIMESTAMP)",
            sid=_id(db, uuid.uuid4()),
            id=_id(db, ipa_key),
            user=_id(db, s.provider_signatory.user_id),
        )


async def test_the_database_allows_what_the_application_needs(ipa_scene: Scene, db) -> None:
    # given: a draft is the LA's to change; a frozen IPA may still be superseded
    s = ipa_scene
    draft = key((await generate(s))["id"])
    _, frozen = await _frozen(s, signed=True)
    # when
    await _raw(
        db,
        _sql(
            db,
            "UPDATE ipas SET terms = json_set(terms, '$.reviewDate', '2027-01-01') WHERE id = :id",
            "UPDATE ipas SET terms = jsonb_set(terms, '{reviewDate}', '\"2027-01-01\"') "
            "WHERE id = :id",
        ),
        id=_id(db, draft),
    )
    await _raw(
        db,
        "UPDATE ipas SET status = 'SUPERSEDED', superseded_at = CURRENT_TIMESTAMP WHERE id = :id",
        id=_id(db, frozen),
    )
    # then
    statuses = {
        i["id"]: (i["status"], i["terms"].get("reviewDate"))
        for i in (await s.client.data(IPAS, token=s.caseworker.token))["ipas"]
    }
    assert statuses[encode_id("IndividualPlacementAgreement", draft)] == ("DRAFT", "2027-01-01")
    assert statuses[encode_id("IndividualPlacementAgreement", frozen)][0] == "SUPERSEDED"
    with pytest.raises(DBAPIError, match="frozen"):
        await _raw(db, "DELETE FROM ipas WHERE id = :id", id=_id(db, frozen))

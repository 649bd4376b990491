"""contentHash: SHA-256 of the RFC 8785 (JCS) serialisation of the terms and the attached
documents' hashes, recomputable by anyone with a standard library; hashes made by the
earlier rule stay valid (migration 0010 records which rule each frozen IPA's hash used)."""

from __future__ import annotations

import hashlib
import json
from typing import Any

import rfc8785
from sqlalchemy import select, text, update

from core.migrate import downgrade, upgrade
from core.models import Ipa
from schema.node import decode_any_id
from tests.ipas.given import Scene
from tests.ipas.helpers import attachment, enable, generate, sign, update_draft

IPA = """query ($id: ID!) { node(id: $id) { ... on IndividualPlacementAgreement {
  status contentHash terms documents { downloadUrl } signatures { contentHash } } } }"""


async def _signed(s: Scene, ipa_id: str) -> None:
    for person in (s.la_signatory, s.provider_signatory):
        payload = await sign(person.token, s, ipa_id)
        assert not payload["userErrors"], payload["userErrors"]


async def test_a_signed_ipas_content_hash_is_sha256_of_its_rfc8785_serialisation(
    ipa_scene: Scene,
) -> None:
    # given: an IPA with an attachment and non-ASCII terms, signed by both sides
    s = ipa_scene
    offer = await s.offer(details={"staffingRatio": "2:1", "supportHoursPerWeek": 37.5})
    ipa = await generate(s, offer)
    document = await attachment(s)
    await update_draft(
        s, ipa["id"], fields={"additionalTerms": "Café £5 ✓"}, documentIds=[document]
    )
    await enable(s, ipa["id"])
    await _signed(s, ipa["id"])
    # when: a provider's system reads it and downloads the attachment
    read = (await s.client.data(IPA, {"id": ipa["id"]}, token=s.provider_signatory.token))["node"]
    digests = []
    for each in read["documents"]:
        response = await s.client.http.get(
            each["downloadUrl"], headers={"Authorization": f"Bearer {s.provider_signatory.token}"}
        )
        assert response.status_code == 200
        digests.append(hashlib.sha256(response.content).hexdigest())
    recomputed = hashlib.sha256(
        rfc8785.dumps({"terms": read["terms"], "documents": digests})
    ).hexdigest()
    # then
    assert read["status"] == "SIGNED"
    assert recomputed == read["contentHash"]
    assert [g["contentHash"] for g in read["signatures"]] == [recomputed, recomputed]


def _legacy_hash(terms: dict[str, Any]) -> str:
    """The rule contentHash used before migration 0010."""
    serialised = json.dumps(
        {"terms": terms, "documents": []}, sort_keys=True, separators=(",", ":"), ensure_ascii=False
    )
    return hashlib.sha256(serialised.encode("utf-8")).hexdigest()


async def _frozen_by_the_earlier_rule(s: Scene, db, details: dict[str, Any]) -> tuple[str, str]:  # type: ignore[no-untyped-def]
    """An IPA enabled for signing as the code before migration 0010 did it."""
    ipa = await generate(s, await s.offer(details=details))
    key = decode_any_id(ipa["id"])[1]
    async with db.transaction() as session:
        terms = await session.scalar(select(Ipa.terms).where(Ipa.id == key))
        legacy = _legacy_hash(terms)
        await session.execute(
            update(Ipa)
            .where(Ipa.id == key)
            .values(status="READY_FOR_SIGNING", content_hash=legacy, enabled_at=text("created_at"))
        )
    return ipa["id"], legacy


async def test_hashes_made_by_the_earlier_rule_stay_valid_after_the_migration(
    ipa_scene: Scene, db, settings
) -> None:
    # given: two IPAs frozen by the earlier rule, one of them with a number it wrote as "40.0"
    s = ipa_scene
    plain_id, plain_hash = await _frozen_by_the_earlier_rule(s, db, {"staffingRatio": "1:1"})
    float_id, float_hash = await _frozen_by_the_earlier_rule(
        s, db, {"staffingRatio": "1:1", "supportHoursPerWeek": 40.0}
    )
    await db.dispose()
    # when: the database goes back to before migration 0010 and is migrated again
    await downgrade(settings.database_url, "0009")
    await upgrade(settings.database_url)
    # then: the plain one's hash is what RFC 8785 gives; the other keeps the earlier rule
    async with db.session() as session:
        rules = dict((await session.execute(select(Ipa.id, Ipa.content_hash_rule))).all())
    assert rules[decode_any_id(plain_id)[1]] == "RFC8785"
    assert rules[decode_any_id(float_id)[1]] == "LEGACY_JSON"
    plain_terms = (await s.client.data(IPA, {"id": plain_id}, token=s.caseworker.token))["node"]
    assert (
        plain_hash
        == hashlib.sha256(
            rfc8785.dumps({"terms": plain_terms["terms"], "documents": []})
        ).hexdigest()
    )
    # and both can still be signed, each against the hash it was frozen with
    for ipa_id, frozen_hash in ((plain_id, plain_hash), (float_id, float_hash)):
        await _signed(s, ipa_id)
        read = (await s.client.data(IPA, {"id": ipa_id}, token=s.caseworker.token))["node"]
        assert read["status"] == "SIGNED"
        assert read["contentHash"] == frozen_hash
        assert {g["contentHash"] for g in read["signatures"]} == {frozen_hash}

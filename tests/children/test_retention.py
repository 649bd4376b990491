"""Retention: with a clock the test controls, a closed referral's personal data (and then its
IPA's) is purged after its LA's period; statistics stay; running it again does nothing; an
open referral is untouched."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select

from core.children.retention import purge
from core.db import Database
from core.documents.kinds import DocumentKind
from core.documents.service import store_document
from core.documents.sniff import PDF as PDF_TYPE
from core.documents.storage import document_store
from core.models import (
    AuditEvent,
    Document,
    Ipa,
    IpaDocument,
    Message,
    MessageDocument,
    Offer,
    OfferDocument,
    Organisation,
    Referral,
    ReferralDocument,
    ReferralVersion,
)
from core.settings import Settings
from schema.node import decode_any_id, encode_id
from tests.children.conftest import ERRORS, Children, referral_id
from tests.ipas.helpers import attachment, ready, sign
from tests.messages.operations import SEND as SEND_MESSAGE
from tests.messages.operations import message
from tests.referrals.operations import CREATE, SEND, WITHDRAW, referral_input

LA_VIEW = """
query ($id: ID!) {
  node(id: $id) {
    ... on Referral { purged status category summary details postcode children { age gender } }
  }
}"""
SET_POLICY = f"""
mutation ($input: SetRetentionPolicyInput!) {{
  setRetentionPolicy(input: $input) {{ organisation {{ id retentionDays ipaRetentionDays }} {ERRORS} }}
}}"""


@dataclass
class Case:
    referral: uuid.UUID
    form: uuid.UUID
    la_attachment: uuid.UUID
    provider_profile: uuid.UUID
    offer: uuid.UUID


def _key(global_id: str) -> uuid.UUID:
    decoded = decode_any_id(global_id)
    assert decoded is not None
    return decoded[1]


async def _case(given: Children) -> Case:
    """A PLACED referral with a referral form, a message with an LA attachment, an accepted
    offer with details and an optional document (one of the provider's profile documents)."""
    s = given.scene
    form = await attachment(s, "referral-form.pdf", kind="REFERRAL_FORM")
    created = (
        await s.client.data(
            CREATE,
            referral_input(
                documentIds=[form],
                postcode="B15 2TT",
                details={"risks": ["Goes missing at night"]},
            ),
            token=s.caseworker.token,
        )
    )["createReferral"]
    assert not created["userErrors"], created["userErrors"]
    referral = created["referral"]["id"]
    await s.client.data(SEND, {"id": referral}, token=s.caseworker.token)
    note = await attachment(s, "chronology.pdf", kind="OTHER")
    sent = await s.client.data(
        SEND_MESSAGE,
        message(referral, "Chronology attached", documentIds=[note], providerId=s.provider.id),
        token=s.caseworker.token,
    )
    assert not sent["sendMessage"]["userErrors"], sent
    offer = await s.offer(_key(referral))
    async with given.people.db.transaction() as session:
        profile = await store_document(
            session,
            document_store(given.people.settings),
            settings=given.people.settings,
            organisation_id=s.provider.organisation_id,
            kind=DocumentKind.STATEMENT_OF_PURPOSE,
            name="statement.pdf",
            file_type=PDF_TYPE,
            data=b"%PDF-1.4 statement of purpose " + uuid.uuid4().bytes,
            uploaded_by_id=None,
        )
        await session.flush()
        session.add(OfferDocument(offer_id=offer, document_id=profile.id, compulsory=False))
    return Case(_key(referral), _key(form), _key(note), profile.id, offer)


async def _closed_at(db: Database, offer: uuid.UUID) -> datetime:
    async with db.session() as session:
        decided = await session.scalar(select(Offer.decided_at).where(Offer.id == offer))
    assert decided is not None
    return decided


async def _count(db: Database, model: Any, *where: Any) -> int:
    async with db.session() as session:
        return int(await session.scalar(select(func.count()).select_from(model).where(*where)))


def _file(settings: Settings, key: str) -> Path:
    return settings.storage_dir / key


async def _storage_key(db: Database, document: uuid.UUID) -> str:
    async with db.session() as session:
        key = await session.scalar(select(Document.storage_key).where(Document.id == document))
    assert key is not None
    return key


async def test_the_purge_removes_every_personal_field_and_file(
    given: Children, db: Database, settings: Settings
) -> None:
    # given
    case = await _case(given)
    form_file = _file(settings, await _storage_key(db, case.form))
    note_file = _file(settings, await _storage_key(db, case.la_attachment))
    profile_file = _file(settings, await _storage_key(db, case.provider_profile))
    closed = await _closed_at(db, case.offer)

    # when
    report = await purge(db, settings, now=closed + timedelta(days=366))

    # then
    assert len(report.referrals) == 1
    async with db.session() as session:
        referral = await session.get(Referral, case.referral)
        assert referral is not None
        assert referral.children == [{"ageBand": "10-15"}]
        assert (referral.summary, referral.details, referral.postcode) == ("", {}, "B15")
        assert referral.purged_at is not None
        versions = list(
            await session.scalars(
                select(ReferralVersion).where(ReferralVersion.referral_id == case.referral)
            )
        )
        assert versions and all(
            v.content["summary"] == "" and v.content["details"] == {} for v in versions
        )
        assert all(v.content["children"] == [{"ageBand": "10-15"}] for v in versions)
        offer = await session.get(Offer, case.offer)
        assert offer is not None and offer.details == {}
    assert await _count(db, ReferralDocument, ReferralDocument.referral_id == case.referral) == 0
    assert await _count(db, MessageDocument) == 0
    assert await _count(db, Message) == 0
    assert await _count(db, OfferDocument, OfferDocument.offer_id == case.offer) == 0
    assert await _count(db, Document, Document.id.in_([case.form, case.la_attachment])) == 0
    assert not form_file.exists() and not note_file.exists()
    # a provider's profile document is the provider's: kept
    assert await _count(db, Document, Document.id == case.provider_profile) == 1
    assert profile_file.exists()


async def test_the_purge_keeps_the_statistics(
    given: Children, db: Database, settings: Settings
) -> None:
    # given
    case = await _case(given)
    closed = await _closed_at(db, case.offer)

    # when
    await purge(db, settings, now=closed + timedelta(days=366))

    # then
    async with db.session() as session:
        referral = await session.get(Referral, case.referral)
        offer = await session.get(Offer, case.offer)
    assert referral is not None and offer is not None
    assert (referral.category, referral.status, referral.urgency) == (
        "RESIDENTIAL",
        "PLACED",
        "WITHIN_5_DAYS",
    )
    assert referral.local_authority_id == given.scene.la_id
    assert referral.sent_at is not None and referral.created_at is not None
    assert (offer.status, offer.core_fee_pence, len(offer.additional_costs)) == (
        "ACCEPTED",
        125000,
        2,
    )


async def test_a_purged_referral_answers_purged_with_its_statistics_only(
    given: Children, db: Database, settings: Settings
) -> None:
    # given
    case = await _case(given)
    await purge(db, settings, now=await _closed_at(db, case.offer) + timedelta(days=366))

    # when
    data = await given.scene.client.data(
        LA_VIEW, {"id": referral_id(case.referral)}, token=given.scene.caseworker.token
    )

    # then
    assert data["node"] == {
        "purged": True,
        "status": "PLACED",
        "category": "RESIDENTIAL",
        "summary": "",
        "details": {},
        "postcode": "B15",
        "children": [],
    }


async def test_the_purge_is_idempotent_with_one_audit_row_per_referral(
    given: Children, db: Database, settings: Settings
) -> None:
    # given
    case = await _case(given)
    now = await _closed_at(db, case.offer) + timedelta(days=366)
    await purge(db, settings, now=now)

    # when
    again = await purge(db, settings, now=now + timedelta(days=1))

    # then
    assert again.referrals == []
    assert await _count(db, AuditEvent, AuditEvent.kind == "REFERRAL_PURGED") == 1


async def test_a_referral_not_due_yet_is_untouched(
    given: Children, db: Database, settings: Settings
) -> None:
    # given
    case = await _case(given)

    # when
    report = await purge(db, settings, now=await _closed_at(db, case.offer) + timedelta(days=364))

    # then
    assert report.referrals == []
    async with db.session() as session:
        referral = await session.get(Referral, case.referral)
    assert referral is not None and referral.summary and referral.purged_at is None


async def test_an_open_referral_is_untouched_however_late(
    given: Children, db: Database, settings: Settings
) -> None:
    # given: sent, with a live (submitted) offer
    s = given.scene
    key, _ = await s.referral()
    await s.offer(key, status="SUBMITTED")

    # when
    report = await purge(db, settings, now=datetime.now().astimezone() + timedelta(days=3650))

    # then
    assert report.referrals == []
    async with db.session() as session:
        referral = await session.get(Referral, key)
    assert referral is not None and referral.summary and referral.purged_at is None


async def test_a_withdrawn_referral_is_purged_after_its_las_own_period(
    given: Children, db: Database, settings: Settings
) -> None:
    # given: the LA keeps closed referrals 60 days
    s = given.scene
    key, _ = await s.referral()
    set_policy = await s.client.data(
        SET_POLICY,
        {"input": {"organisationId": encode_id("Organisation", s.la_id), "retentionDays": 60}},
        token=given.la_admin.token,
    )
    assert set_policy["setRetentionPolicy"]["userErrors"] == []
    withdrawn = await s.client.data(
        WITHDRAW, {"id": referral_id(key), "reason": "Placed in family"}, token=s.caseworker.token
    )
    assert withdrawn["withdrawReferral"]["userErrors"] == []
    async with db.session() as session:
        at = await session.scalar(select(Referral.withdrawn_at).where(Referral.id == key))
    assert at is not None

    # when
    early = await purge(db, settings, now=at + timedelta(days=59))
    due = await purge(db, settings, now=at + timedelta(days=61))

    # then
    assert (early.referrals, len(due.referrals)) == ([], 1)


async def test_a_dry_run_changes_nothing(given: Children, db: Database, settings: Settings) -> None:
    # given
    case = await _case(given)

    # when
    report = await purge(
        db, settings, now=await _closed_at(db, case.offer) + timedelta(days=366), dry_run=True
    )

    # then
    assert len(report.referrals) == 1
    async with db.session() as session:
        referral = await session.get(Referral, case.referral)
    assert referral is not None and referral.purged_at is None and referral.summary
    assert await _count(db, AuditEvent, AuditEvent.kind == "REFERRAL_PURGED") == 0


async def test_a_signed_ipa_is_kept_for_its_own_period_then_purged(
    given: Children, db: Database, settings: Settings
) -> None:
    # given: a signed IPA with an attachment, on a referral itself purged after a year
    s = given.scene
    ipa = await ready(s)
    assert not (await sign(s.la_signatory.token, s, ipa["id"]))["userErrors"]
    assert not (await sign(s.provider_signatory.token, s, ipa["id"]))["userErrors"]
    key = _key(ipa["id"])
    async with db.session() as session:
        row = await session.get(Ipa, key)
    assert row is not None and row.signed_at is not None
    signed = row.signed_at

    # when
    a_year_on = await purge(db, settings, now=signed + timedelta(days=366))
    seven_years_on = await purge(db, settings, now=signed + timedelta(days=7 * 365 + 1))

    # then
    assert (len(a_year_on.referrals), a_year_on.ipas) == (1, [])
    assert len(seven_years_on.ipas) == 1
    async with db.session() as session:
        row = await session.get(Ipa, key)
    assert row is not None and row.purged_at is not None and row.status == "SIGNED"
    assert "children" not in row.terms and row.terms.get("coreFee")
    assert await _count(db, IpaDocument, IpaDocument.ipa_id == key) == 0


async def test_an_la_admin_sets_the_policy_within_the_platform_bounds(given: Children) -> None:
    # given
    s = given.scene
    organisation = encode_id("Organisation", s.la_id)

    # when
    ok = await s.client.data(
        SET_POLICY,
        {"input": {"organisationId": organisation, "retentionDays": 400, "ipaRetentionDays": 3000}},
        token=given.la_admin.token,
    )
    too_short = await s.client.data(
        SET_POLICY,
        {"input": {"organisationId": organisation, "retentionDays": 1}},
        token=given.la_admin.token,
    )

    # then
    assert ok["setRetentionPolicy"]["organisation"] == {
        "id": organisation,
        "retentionDays": 400,
        "ipaRetentionDays": 3000,
    }
    errors = too_short["setRetentionPolicy"]["userErrors"]
    assert [(e["field"], e["code"]) for e in errors] == [(["input", "retentionDays"], "INVALID")]


async def test_another_las_admin_cannot_set_the_policy(given: Children) -> None:
    # given
    other_la = await given.people.local_authority("Coventry", "COV")
    other_admin = await given.people.la_admin(other_la)

    # when
    result = await given.scene.client.data(
        SET_POLICY,
        {
            "input": {
                "organisationId": encode_id("Organisation", given.scene.la_id),
                "retentionDays": 100,
            }
        },
        token=other_admin.token,
    )

    # then
    errors = result["setRetentionPolicy"]["userErrors"]
    assert [e["code"] for e in errors] == ["NOT_FOUND"]


async def test_an_la_without_a_policy_has_the_platform_default(
    given: Children, db: Database
) -> None:
    async with db.session() as session:
        row = await session.get(Organisation, given.scene.la_id)
    assert row is not None and row.retention_days is None
    data = await given.scene.client.data(
        "query ($id: ID!) { node(id: $id) { ... on Organisation { retentionDays ipaRetentionDays } } }",
        {"id": encode_id("Organisation", given.scene.la_id)},
        token=given.la_admin.token,
    )
    assert data["node"] == {"retentionDays": 365, "ipaRetentionDays": 7 * 365}


@pytest.mark.parametrize("dry_run", [True, False])
def test_portal_purge_reports_what_it_did(
    dry_run: bool,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    settings: Settings,
) -> None:
    from portal.cli import main

    monkeypatch.setenv("PORTAL_DATABASE_URL", settings.database_url)
    monkeypatch.setenv("PORTAL_STORAGE_DIR", str(settings.storage_dir))
    monkeypatch.setenv("PORTAL_SECRET_KEY", settings.secret_key)

    assert main(["purge", *(["--dry-run"] if dry_run else [])]) == 0
    out = capsys.readouterr().out
    assert ("would purge 0 referral(s)" if dry_run else "purged 0 referral(s)") in out

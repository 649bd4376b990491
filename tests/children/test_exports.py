"""Subject access and organisation exports: a zip naming every table's rows, the access log
included, the files decrypted; through the API (a download link) and ``portal export``."""

from __future__ import annotations

import io
import zipfile
from typing import Any

import orjson
import pytest
from sqlalchemy import select

from core.children.exports import make_export
from core.db import Database
from core.settings import Settings
from schema.node import decode_any_id, encode_id
from tests.children.conftest import ERRORS, Children, referral_id
from tests.ipas.helpers import attachment, ready
from tests.messages.operations import SEND as SEND_MESSAGE
from tests.messages.operations import message
from tests.referrals.operations import CREATE, SEND, referral_input
from tests.registration.helpers import PDF

REQUEST = f"""
mutation ($input: RequestExportInput!) {{
  requestExport(input: $input) {{ export {{ id status createdAt downloadUrl }} {ERRORS} }}
}}"""
EXPORT_NODE = "query ($id: ID!) { node(id: $id) { ... on DataExport { id status downloadUrl } } }"
REFERRAL_TABLES = {
    "referrals",
    "referral_versions",
    "referral_documents",
    "referral_deliveries",
    "delivery_homes",
    "message_threads",
    "messages",
    "message_documents",
    "message_thread_reads",
    "offers",
    "offer_documents",
    "ipas",
    "ipa_documents",
    "ipa_signatures",
    "notifications",
    "access_log",
    "documents",
}
ORGANISATION_TABLES = {
    "organisations",
    "users",
    "user_roles",
    "user_sessions",
    "invitations",
    "api_tokens",
    "account_requests",
    "signing_delegations",
    "audit_events",
    "notifications",
    "provider_registrations",
    "homes",
    "fostering_families",
    "documents",
}


async def _download(given: Children, url: str, token: str) -> zipfile.ZipFile:
    path = url.removeprefix("http://127.0.0.1:8000")
    response = await given.scene.client.http.get(path, headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "application/zip"
    return zipfile.ZipFile(io.BytesIO(response.content))


async def _full_referral(given: Children) -> str:
    """A referral with a form, a message, an IPA (so an offer), and reads on the log."""
    s = given.scene
    form = await attachment(s, "referral-form.pdf", kind="REFERRAL_FORM")
    created = (
        await s.client.data(CREATE, referral_input(documentIds=[form]), token=s.caseworker.token)
    )["createReferral"]
    referral = created["referral"]["id"]
    await s.client.data(SEND, {"id": referral}, token=s.caseworker.token)
    await s.client.data(SEND_MESSAGE, message(referral), token=s.provider.admin.token)
    decoded = decode_any_id(referral)
    assert decoded is not None
    await ready(s, await s.offer(decoded[1]))
    await given.app.state.access_log.flush()
    return referral


async def test_an_la_admin_exports_a_referral_with_every_table_and_its_files(
    given: Children,
) -> None:
    # given
    referral = await _full_referral(given)

    # when
    payload = (
        await given.scene.client.data(
            REQUEST, {"input": {"referralId": referral}}, token=given.la_admin.token
        )
    )["requestExport"]

    # then
    assert payload["userErrors"] == []
    assert payload["export"]["status"] == "READY"
    archive = await _download(given, payload["export"]["downloadUrl"], given.la_admin.token)
    manifest = orjson.loads(archive.read("export.json"))
    tables = manifest["tables"]
    assert set(tables) == REFERRAL_TABLES
    for name in (
        "referrals",
        "referral_versions",
        "referral_documents",
        "referral_deliveries",
        "messages",
        "offers",
        "ipas",
        "access_log",
        "documents",
    ):
        assert tables[name], f"{name} is empty"
    assert {r["subject_type"] for r in tables["access_log"]} >= {"REFERRAL"}
    files = [n for n in archive.namelist() if n.startswith("files/")]
    assert files and all(archive.read(n).startswith(PDF) for n in files)


async def test_an_export_is_on_the_access_log_as_export(given: Children) -> None:
    # given
    referral = await _full_referral(given)

    # when
    await given.scene.client.data(
        REQUEST, {"input": {"referralId": referral}}, token=given.la_admin.token
    )

    # then
    rows = await given.logged(user_id=given.la_admin.user_id, channel="EXPORT")
    assert [r.subject_type for r in rows] == ["REFERRAL"]


async def test_a_platform_admin_exports_an_organisation_made_by_the_worker(
    given: Children, db: Database, settings: Settings
) -> None:
    # given
    s = given.scene
    admin = await given.people.platform_admin()
    await attachment(s, "care-plan.pdf")

    # when
    requested = (
        await s.client.data(
            REQUEST,
            {"input": {"organisationId": encode_id("Organisation", s.la_id)}},
            token=admin.token,
        )
    )["requestExport"]
    key = decode_any_id(requested["export"]["id"])
    assert key is not None
    await make_export(db, settings, key[1])  # as the worker does
    ready_now = await s.client.data(
        EXPORT_NODE, {"id": requested["export"]["id"]}, token=admin.token
    )

    # then
    assert requested["export"]["status"] == "PENDING"
    assert ready_now["node"]["status"] == "READY"
    archive = await _download(given, ready_now["node"]["downloadUrl"], admin.token)
    manifest = orjson.loads(archive.read("export.json"))
    assert set(manifest["tables"]) == ORGANISATION_TABLES
    users = manifest["tables"]["users"]
    assert {u["email"] for u in users} >= {s.caseworker.email, given.la_admin.email}
    assert all("password_hash" not in u and "totp_secret" not in u for u in users)
    assert manifest["tables"]["audit_events"]
    files = [n for n in archive.namelist() if n.startswith("files/")]
    assert files and all(archive.read(n).startswith(PDF) for n in files)


async def test_only_the_requester_downloads_an_export(given: Children) -> None:
    # given
    referral = await _full_referral(given)
    export = (
        await given.scene.client.data(
            REQUEST, {"input": {"referralId": referral}}, token=given.la_admin.token
        )
    )["requestExport"]["export"]
    path = export["downloadUrl"].removeprefix("http://127.0.0.1:8000")

    # when
    other = await given.scene.client.http.get(
        path, headers={"Authorization": f"Bearer {given.scene.caseworker.token}"}
    )

    # then
    assert other.status_code == 404


@pytest.mark.parametrize("who", ["caseworker", "other_la_admin", "provider_admin"])
async def test_others_cannot_export_a_referral(given: Children, who: str) -> None:
    # given
    s = given.scene
    key, _ = await s.referral()
    people = {
        "caseworker": s.caseworker,
        "provider_admin": s.provider.admin,
        "other_la_admin": await given.people.la_admin(
            await given.people.local_authority("Coventry", "COV")
        ),
    }

    # when
    payload = (
        await s.client.data(
            REQUEST, {"input": {"referralId": referral_id(key)}}, token=people[who].token
        )
    )["requestExport"]

    # then
    assert payload["export"] is None
    assert [e["code"] for e in payload["userErrors"]] == [
        "FORBIDDEN" if who != "other_la_admin" else "NOT_FOUND"
    ]


async def test_an_export_names_exactly_one_subject(given: Children) -> None:
    payload = (await given.scene.client.data(REQUEST, {"input": {}}, token=given.la_admin.token))[
        "requestExport"
    ]
    assert [(e["field"], e["code"]) for e in payload["userErrors"]] == [(["input"], "INVALID")]


async def test_portal_export_writes_the_zip(
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    settings: Settings,
    tmp_path: Any,
    people: Any,
) -> None:
    import asyncio

    from portal.cli import main

    la = await people.local_authority("Dudley", "DUD")
    monkeypatch.setenv("PORTAL_DATABASE_URL", settings.database_url)
    monkeypatch.setenv("PORTAL_STORAGE_DIR", str(settings.storage_dir))
    monkeypatch.setenv("PORTAL_SECRET_KEY", settings.secret_key)
    out = tmp_path / "la.zip"

    assert (
        await asyncio.to_thread(main, ["export", "--organisation", str(la), "--out", str(out)]) == 0
    )
    manifest = orjson.loads(zipfile.ZipFile(out).read("export.json"))
    assert manifest["tables"]["organisations"][0]["name"] == "Dudley"


async def test_an_export_is_deleted_by_the_purge_after_its_days(
    given: Children, db: Database, settings: Settings
) -> None:
    # given
    from datetime import timedelta

    from core.children.retention import purge
    from core.models import DataExport
    from core.models.base import utcnow

    referral = await _full_referral(given)
    await given.scene.client.data(
        REQUEST, {"input": {"referralId": referral}}, token=given.la_admin.token
    )
    zips = list((settings.storage_dir / "exports").iterdir())
    assert len(zips) == 1

    # when
    kept = await purge(db, settings, now=utcnow() + timedelta(days=6))
    gone = await purge(db, settings, now=utcnow() + timedelta(days=8))

    # then
    assert (kept.exports_deleted, gone.exports_deleted) == (0, 1)
    assert not zips[0].exists()
    async with db.session() as session:
        assert list(await session.scalars(select(DataExport))) == []

"""Profile documents: uploadDocument, sniffing, names, limits, listing and downloading."""

from __future__ import annotations

import io
import zipfile
from datetime import date, timedelta
from pathlib import Path

import httpx
import pytest

from core.documents.storage import document_store
from core.settings import Settings
from tests.identity.world import World
from tests.registration.helpers import PDF, UPLOAD_DOCUMENT, upload, upload_data

IN_A_YEAR = (date.today() + timedelta(days=365)).isoformat()

PROFILE_DOCUMENTS = """
query ($id: ID!) {
  node(id: $id) { ... on Organisation { documents { id name kind expiresOn } } }
}"""

DOCX_CONTENT_TYPES = (
    b'<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/'
    b'content-types"><Override PartName="/word/document.xml" ContentType="application/'
    b'vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/></Types>'
)


def zip_of(members: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in members.items():
            archive.writestr(name, content)
    return buffer.getvalue()


def stored_files(root: Path) -> list[Path]:
    return [p for p in Path(root).rglob("*") if p.is_file()]


DOCX = zip_of({"[Content_Types].xml": DOCX_CONTENT_TYPES, "word/document.xml": b"<w:document/>"})
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
JPEG = b"\xff\xd8\xff\xe0" + b"\x00" * 64


async def _upload(world: World, who: str, filename: str, data: bytes, **variables: object):
    token = await world.token(who)
    return await upload(
        world.client.http,
        UPLOAD_DOCUMENT,
        {"kind": "INSURANCE", **variables},
        filename=filename,
        data=data,
        token=token,
    )


async def _uploaded(world: World, who: str, filename: str, data: bytes, **variables: object):
    token = await world.token(who)
    return (
        await upload_data(
            world.client.http,
            UPLOAD_DOCUMENT,
            {"kind": "INSURANCE", **variables},
            filename=filename,
            data=data,
            token=token,
        )
    )["uploadDocument"]


async def test_a_provider_uploads_its_insurance_with_an_expiry_date(world: World) -> None:
    # when
    result = await _uploaded(world, "provider_admin", "insurance.pdf", PDF, expiresOn=IN_A_YEAR)

    # then
    assert result["userErrors"] == []
    document = result["document"]
    assert document["name"] == "insurance.pdf"
    assert document["kind"] == "INSURANCE"
    assert document["contentType"] == "application/pdf"
    assert document["size"] == len(PDF)
    assert document["expiresOn"] == IN_A_YEAR
    assert document["downloadUrl"] == f"http://127.0.0.1:8000/documents/{document['id']}"


@pytest.mark.parametrize(
    ("filename", "data", "content_type"),
    [
        ("certificate.pdf", PDF, "application/pdf"),
        (
            "statement.docx",
            DOCX,
            "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        ),
        ("scan.png", PNG, "image/png"),
        ("photo.jpeg", JPEG, "image/jpeg"),
    ],
)
async def test_each_accepted_type_is_recognised_by_its_content(
    world: World, filename: str, data: bytes, content_type: str
) -> None:
    # when
    result = await _uploaded(world, "provider_user", filename, data)

    # then
    assert result["userErrors"] == []
    assert result["document"]["contentType"] == content_type


@pytest.mark.parametrize(
    ("filename", "data", "says"),
    [
        ("notes.pdf", b"just some text, not a PDF", "not accepted"),
        ("program.pdf", b"MZ\x90\x00\x03" + b"\x00" * 100, "not accepted"),
        ("archive.docx", zip_of({"a.txt": b"hello"}), "zip archive"),
        (
            "macro.docx",
            zip_of(
                {
                    "[Content_Types].xml": DOCX_CONTENT_TYPES,
                    "word/document.xml": b"<w:document/>",
                    "word/vbaProject.bin": b"\x00",
                }
            ),
            "macros",
        ),
        ("old.doc", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 100, "older Office format"),
        ("empty.pdf", b"", "empty"),
    ],
)
async def test_content_that_is_not_an_accepted_type_is_refused(
    world: World, filename: str, data: bytes, says: str
) -> None:
    # when
    result = (await _upload(world, "provider_admin", filename, data)).json()["data"]

    # then
    (error,) = result["uploadDocument"]["userErrors"]
    assert error["field"] == ["input", "file"]
    assert error["code"] == "INVALID"
    assert says in error["message"]
    assert result["uploadDocument"]["document"] is None


@pytest.mark.parametrize("filename", ["insurance.docx", "insurance.exe", "insurance.pdf.exe"])
async def test_a_name_that_contradicts_the_content_is_refused(world: World, filename: str) -> None:
    # when
    result = (await _upload(world, "provider_admin", filename, PDF)).json()["data"]

    # then
    (error,) = result["uploadDocument"]["userErrors"]
    assert error["field"] == ["input", "file"]
    assert "PDF" in error["message"]


@pytest.mark.parametrize(
    ("filename", "stored"),
    [
        ("../../etc/passwd.pdf", "passwd.pdf"),
        ("C:\\Users\\sam\\My Insurance 2026.pdf", "My Insurance 2026.pdf"),
        ("bad<name>:|?*.pdf", "bad_name_____.pdf"),
        ("  .hidden   insurance .pdf", "hidden insurance.pdf"),
        ("scan", "scan.pdf"),
        ("CON.pdf", "_CON.pdf"),
        ("x" * 300 + ".pdf", "x" * 146 + ".pdf"),
        ("Überprüfung 2026.PDF", "Überprüfung 2026.PDF"),
    ],
)
async def test_file_names_are_sanitised(world: World, filename: str, stored: str) -> None:
    # when
    result = await _uploaded(world, "provider_admin", filename, PDF)

    # then
    assert result["userErrors"] == []
    assert result["document"]["name"] == stored


async def test_a_body_over_the_upload_limit_is_refused_with_413(world: World) -> None:
    # given
    token = await world.token("provider_admin")
    data = PDF + b"\x00" * (20 * 1024 * 1024)

    # when
    response = await upload(
        world.client.http,
        UPLOAD_DOCUMENT,
        {"kind": "INSURANCE"},
        filename="big.pdf",
        data=data,
        token=token,
    )

    # then
    assert response.status_code == 413
    listing = await world.client.data(
        PROFILE_DOCUMENTS, {"id": (await world.person("provider_admin")).organisation}, token=token
    )
    assert listing["node"]["documents"] == []


async def test_an_expiry_date_in_the_past_is_refused(world: World) -> None:
    # when
    yesterday = (date.today() - timedelta(days=1)).isoformat()
    result = (await _upload(world, "provider_admin", "i.pdf", PDF, expiresOn=yesterday)).json()

    # then
    (error,) = result["data"]["uploadDocument"]["userErrors"]
    assert error["field"] == ["input", "expiresOn"]


@pytest.mark.parametrize(
    ("who", "kind"),
    [
        ("caseworker", "INSURANCE"),
        ("provider_admin", "REFERRAL_FORM"),
        ("provider_admin", "REGISTRATION_SPREADSHEET"),
    ],
)
async def test_an_organisation_uploads_only_its_own_kinds(
    world: World, who: str, kind: str
) -> None:
    # when
    result = (await _upload(world, who, "form.pdf", PDF, kind=kind)).json()["data"]

    # then
    (error,) = result["uploadDocument"]["userErrors"]
    assert error["field"] == ["input", "kind"]


async def test_the_profile_lists_documents_newest_first_without_the_spreadsheet(
    world: World,
) -> None:
    # given
    await _uploaded(world, "provider_admin", "insurance.pdf", PDF, expiresOn=IN_A_YEAR)
    await _uploaded(world, "provider_admin", "ofsted.pdf", PDF + b"2", kind="OFSTED_CERTIFICATE")
    provider = await world.person("provider_admin")

    # when
    listing = await world.client.data(
        PROFILE_DOCUMENTS, {"id": provider.organisation}, token=provider.token
    )

    # then
    assert [d["name"] for d in listing["node"]["documents"]] == ["ofsted.pdf", "insurance.pdf"]


@pytest.mark.parametrize(
    ("who", "sees"),
    [
        ("provider_user", True),
        ("caseworker", True),
        ("other_la_admin", True),
        ("platform_admin", True),
        ("other_provider_admin", False),
        ("la_signatory", False),
    ],
)
async def test_who_sees_a_providers_profile_documents(world: World, who: str, sees: bool) -> None:
    # given: an approved provider (before approval: tests/security/test_case_documents.py)
    from tests.security.given import approve

    await approve(world)
    document = (await _uploaded(world, "provider_admin", "insurance.pdf", PDF))["document"]
    provider = await world.org("provider")
    token = await world.token(who)

    # when
    from schema.node import encode_id

    body = await world.client.execute(
        PROFILE_DOCUMENTS, {"id": encode_id("Organisation", provider)}, token=token
    )
    download = await world.client.http.get(
        f"/documents/{document['id']}", headers={"Authorization": f"Bearer {token}"}
    )

    # then
    node = body["data"]["node"]
    listed = bool(node and node["documents"])
    assert listed is sees
    assert download.status_code == (200 if sees else 404)


async def test_a_download_is_an_attachment_with_the_bytes_and_nosniff(world: World) -> None:
    # given
    document = (await _uploaded(world, "provider_admin", "Überprüfung.pdf", PDF))["document"]
    token = await world.token("caseworker")

    # when
    response = await world.client.http.get(
        document["downloadUrl"], headers={"Authorization": f"Bearer {token}"}
    )

    # then
    assert response.status_code == 200
    assert response.content == PDF
    assert response.headers["content-type"] == "application/pdf"
    assert response.headers["x-content-type-options"] == "nosniff"
    disposition = response.headers["content-disposition"]
    assert disposition.startswith('attachment; filename="_berpr_fung.pdf"')
    assert "filename*=UTF-8''%C3%9Cberpr%C3%BCfung.pdf" in disposition


async def test_a_download_works_with_the_session_cookie(world: World) -> None:
    # given
    document = (await _uploaded(world, "provider_admin", "insurance.pdf", PDF))["document"]
    token = await world.token("provider_admin")

    # when
    response = await world.client.http.get(
        f"/documents/{document['id']}", headers={"Cookie": f"portal_session={token}"}
    )

    # then
    assert response.status_code == 200
    assert response.content == PDF


@pytest.mark.parametrize("path", ["/documents/not-an-id", "/documents/T3JnYW5pc2F0aW9uOjA"])
async def test_a_download_without_credentials_or_of_a_bad_id_is_404(
    world: World, path: str
) -> None:
    # given
    document = (await _uploaded(world, "provider_admin", "insurance.pdf", PDF))["document"]
    http: httpx.AsyncClient = world.client.http
    token = await world.token("provider_admin")

    # when
    anonymous = await http.get(f"/documents/{document['id']}")
    bad = await http.get(path, headers={"Authorization": f"Bearer {token}"})

    # then
    assert anonymous.status_code == 404
    assert bad.status_code == 404


async def test_the_same_bytes_twice_are_two_documents_and_one_stored_blob(
    world: World, settings: Settings
) -> None:
    # when
    first = (await _uploaded(world, "provider_admin", "a.pdf", PDF))["document"]
    second = (await _uploaded(world, "provider_admin", "b.pdf", PDF))["document"]

    # then
    assert first["id"] != second["id"]
    blobs = stored_files(settings.storage_dir)
    assert len(blobs) == 1
    assert document_store(settings).cipher.decrypt(blobs[0].read_bytes()) == PDF
    assert not blobs[0].stat().st_mode & 0o222  # stored read-only: never overwritten


async def test_a_cross_site_multipart_upload_with_the_cookie_is_refused(world: World) -> None:
    # given
    token = await world.token("provider_admin")

    # when
    response = await upload(
        world.client.http,
        UPLOAD_DOCUMENT,
        {"kind": "INSURANCE"},
        filename="i.pdf",
        data=PDF,
        headers={"Origin": "https://evil.example", "Cookie": f"portal_session={token}"},
    )

    # then
    assert response.status_code == 403

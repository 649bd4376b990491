"""Uploads over the GraphQL multipart request spec, and registration workbooks."""

from __future__ import annotations

import io
import json
import uuid
from collections.abc import Mapping, Sequence
from typing import Any

import httpx
import openpyxl

from core.db import Database
from core.documents.storage import LocalDiskStore
from core.models import Document, Home, Organisation, ProviderRegistration
from core.models.base import utcnow
from core.registration.layout import HOME_HEADERS, ORGANISATION_LABELS
from portal.demo.providers import demo_pdf

ERRORS = "userErrors { field message code }"

UPLOAD_DOCUMENT = f"""
mutation ($file: Upload!, $kind: DocumentKind!, $expiresOn: Date) {{
  uploadDocument(input: {{file: $file, kind: $kind, expiresOn: $expiresOn}}) {{
    document {{ id name kind contentType size expiresOn uploadedAt downloadUrl }}
    {ERRORS}
  }}
}}"""

UPLOAD_SPREADSHEET = f"""
mutation ($file: Upload!) {{
  uploadRegistrationSpreadsheet(input: {{file: $file}}) {{
    registration {{
      id status submittedAt
      managingLocalAuthority {{ name }}
      spreadsheet {{ id name kind contentType downloadUrl }}
      homes {{ name category minAge maxAge genders beds postcode localAuthorityArea ofstedUrn contractType provider {{ name }} }}
    }}
    {ERRORS}
  }}
}}"""

ORGANISATION_SHEET: dict[str, object] = {
    "Organisation name": "Acorn Care Ltd",
    "Companies House number": "01234567",
    "Main contact name": "Sam Taylor",
    "Main contact email": "sam.taylor@example.org",
    "Main contact phone": "020 7946 0000",
    "Managing local authority": "Birmingham",
}

HOME: dict[str, object] = {
    "Home name": "Oak House",
    "Care category": "Residential",
    "Minimum age": 8,
    "Maximum age": 17,
    "Genders accepted": "Female, Male",
    "Beds": 4,
    "Postcode": "b1 1aa",
    "Local authority area": "Birmingham",
    "Ofsted URN": "SC123456",
    "Contract type": "Framework",
}


def home(**changes: object) -> dict[str, object]:
    row = dict(HOME)
    for key, value in changes.items():
        header = next(h for h in HOME_HEADERS if h.casefold() == key.replace("_", " ").casefold())
        row[header] = value
    return row


async def upload(
    http: httpx.AsyncClient,
    query: str,
    variables: dict[str, Any],
    *,
    filename: str,
    data: bytes,
    token: str | None = None,
    content_type: str = "application/octet-stream",
    headers: Mapping[str, str] | None = None,
) -> httpx.Response:
    """POST a multipart request with one file mapped to ``variables.file``."""
    operations = {"query": query, "variables": {**variables, "file": None}}
    all_headers = dict(headers or {})
    if token:
        all_headers["Authorization"] = f"Bearer {token}"
    http.cookies.clear()
    return await http.post(
        "/graphql",
        data={"operations": json.dumps(operations), "map": json.dumps({"0": ["variables.file"]})},
        files={"0": (filename, data, content_type)},
        headers=all_headers,
    )


async def upload_data(http: httpx.AsyncClient, *args: Any, **kwargs: Any) -> dict[str, Any]:
    response = await upload(http, *args, **kwargs)
    assert response.status_code == 200, response.text
    body = response.json()
    assert not body.get("errors"), body["errors"]
    return body["data"]


def fill(
    template: bytes,
    organisation: Mapping[str, object] | None = None,
    homes: Sequence[Mapping[str, object]] = (HOME,),
) -> bytes:
    """The downloaded template filled in with openpyxl."""
    workbook = openpyxl.load_workbook(io.BytesIO(template))
    sheet = workbook["Organisation"]
    values = ORGANISATION_SHEET if organisation is None else organisation
    for row, label in enumerate(ORGANISATION_LABELS, start=1):
        assert sheet.cell(row=row, column=1).value == label
        sheet.cell(row=row, column=2, value=values.get(label))
    sheet = workbook["Homes"]
    for row, values_of_home in enumerate(homes, start=2):
        for column, header in enumerate(HOME_HEADERS, start=1):
            sheet.cell(row=row, column=column, value=values_of_home.get(header))
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


async def template(http: httpx.AsyncClient) -> bytes:
    response = await http.get("/registration-template.xlsx")
    assert response.status_code == 200
    return response.content


#: A small real PDF (one page): uploads are opened with a PDF reader.
PDF = demo_pdf("Test document", ("A document uploaded by the tests.",))


async def registered_provider(
    db: Database,
    storage: LocalDiskStore,
    *,
    name: str,
    managing_la: uuid.UUID,
    homes: int = 2,
    status: str = "PENDING_APPROVAL",
) -> uuid.UUID:
    """A provider with a submitted registration, its spreadsheet and ``homes`` live homes."""
    blob = await storage.put(f"spreadsheet of {name}".encode())
    async with db.transaction() as session:
        provider = Organisation(
            id=uuid.uuid4(),
            kind="PROVIDER",
            name=name,
            enabled_categories=[],
            managing_local_authority_id=managing_la,
        )
        session.add(provider)
        await session.flush()
        document = Document(
            id=uuid.uuid4(),
            organisation_id=provider.id,
            kind="REGISTRATION_SPREADSHEET",
            name="registration.xlsx",
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            size=blob.size,
            sha256=blob.sha256,
            storage_key=blob.key,
        )
        session.add(document)
        await session.flush()
        registration = ProviderRegistration(
            id=uuid.uuid4(),
            organisation_id=provider.id,
            status=status,
            spreadsheet_id=document.id,
            details={},
            submitted_at=utcnow(),
        )
        session.add(registration)
        await session.flush()
        for number in range(homes):
            session.add(
                Home(
                    registration_id=registration.id,
                    provider_id=provider.id,
                    name=f"{name} home {number + 1}",
                    category="RESIDENTIAL",
                    min_age=8,
                    max_age=17,
                    accepts_female=True,
                    accepts_male=True,
                    accepts_other=False,
                    beds=3,
                    postcode="B1 1AA",
                    contract_type="FRAMEWORK",
                    row_number=number + 2,
                )
            )
    return provider.id

"""Registration workbooks for the tests: the filled template, plain workbooks, patched zips."""

from __future__ import annotations

import io
import posixpath
import zipfile
from collections.abc import Callable, Mapping, Sequence
from xml.etree import ElementTree

import openpyxl

from core.registration.layout import HOME_HEADERS, ORGANISATION_LABELS
from core.registration.template import build_template
from core.registration.types import CategorySpec, HomeRow


def _supported_accommodation_rules(home: HomeRow) -> list[str]:
    if home.min_age < 16:
        return ["Supported Accommodation homes must only accept young people aged 16 or over"]
    return []


def _family_assessment_rules(home: HomeRow) -> list[str]:
    if home.beds > 6:
        return ["Residential Family Assessment homes can have at most 6 beds"]
    return []


CATEGORIES: tuple[CategorySpec, ...] = (
    CategorySpec("FOSTERING", "Fostering", 0, 17),
    CategorySpec("RESIDENTIAL", "Residential", 0, 17),
    CategorySpec(
        "SUPPORTED_ACCOMMODATION",
        "Supported Accommodation",
        16,
        17,
        check_home=_supported_accommodation_rules,
    ),
    CategorySpec(
        "RESIDENTIAL_FAMILY_ASSESSMENT",
        "Residential Family Assessment",
        0,
        17,
        check_home=_family_assessment_rules,
    ),
)
CATEGORY_LABELS = [category.label for category in CATEGORIES]
LOCAL_AUTHORITIES = ["Camden", "Bristol, City of", "Leeds"]

ORGANISATION: dict[str, object] = {
    "Organisation name": "Bright Futures Care Ltd",
    "Companies House number": "01234567",
    "Main contact name": "Sam Taylor",
    "Main contact email": "sam.taylor@example.org",
    "Main contact phone": "020 7946 0000",
    "Managing local authority": "Camden",
}

HOME: dict[str, object] = {
    "Home name": "Oak House",
    "Care category": "Residential",
    "Minimum age": 8,
    "Maximum age": 17,
    "Genders accepted": "Female, Male",
    "Beds": 4,
    "Postcode": "sw1a1aa",
    "Local authority area": "Camden",
    "Ofsted URN": "SC123456",
    "Contract type": "Framework",
}


def home(**changes: object) -> dict[str, object]:
    """A valid home row with some columns changed (keys use underscores for spaces)."""
    row = dict(HOME)
    for key, value in changes.items():
        header = key.replace("_", " ")
        header = next(known for known in HOME_HEADERS if known.casefold() == header.casefold())
        row[header] = value
    return row


def template_bytes() -> bytes:
    return build_template(CATEGORY_LABELS, LOCAL_AUTHORITIES)


def filled_template(
    organisation: Mapping[str, object] | None = None,
    homes: Sequence[Mapping[str, object] | None] = (HOME,),
) -> bytes:
    """The template filled in with openpyxl; a None home leaves its row blank."""
    workbook = openpyxl.load_workbook(io.BytesIO(template_bytes()))
    values = ORGANISATION if organisation is None else organisation
    sheet = workbook["Organisation"]
    for row, label in enumerate(ORGANISATION_LABELS, start=1):
        sheet.cell(row=row, column=2, value=values.get(label))
    sheet = workbook["Homes"]
    for row, home_values in enumerate(homes, start=2):
        if home_values is None:
            continue
        for column, header in enumerate(HOME_HEADERS, start=1):
            sheet.cell(row=row, column=column, value=home_values.get(header))
    return save(workbook)


def plain_workbook(sheets: Mapping[str, Sequence[Sequence[object]]]) -> bytes:
    """A workbook holding only the given sheets and rows (written in write-only mode)."""
    workbook = openpyxl.Workbook(write_only=True)
    for title, rows in sheets.items():
        sheet = workbook.create_sheet(title)
        for row in rows:
            sheet.append(list(row))
    return save(workbook)


def organisation_rows(values: Mapping[str, object] | None = None) -> list[list[object]]:
    values = ORGANISATION if values is None else values
    return [[label, values.get(label)] for label in ORGANISATION_LABELS]


def home_rows(*homes: Mapping[str, object]) -> list[list[object]]:
    """The header row in the template's order, then one row per home."""
    rows: list[list[object]] = [list(HOME_HEADERS)]
    rows.extend([values.get(header) for header in HOME_HEADERS] for values in homes)
    return rows


def save(workbook: openpyxl.Workbook) -> bytes:
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def sheet_part(data: bytes, title: str) -> str:
    """The zip member holding the sheet called ``title``."""
    namespaces = {
        "main": "http://schemas.openxmlformats.org/spreadsheetml/2006/main",
        "r": "http://schemas.openxmlformats.org/officeDocument/2006/relationships",
        "rel": "http://schemas.openxmlformats.org/package/2006/relationships",
    }
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        workbook = ElementTree.fromstring(archive.read("xl/workbook.xml"))
        relationships = ElementTree.fromstring(archive.read("xl/_rels/workbook.xml.rels"))
    sheet = next(
        element
        for element in workbook.iterfind("main:sheets/main:sheet", namespaces)
        if element.get("name") == title
    )
    relationship_id = sheet.get(f"{{{namespaces['r']}}}id")
    target = next(
        element.get("Target", "")
        for element in relationships.iterfind("rel:Relationship", namespaces)
        if element.get("Id") == relationship_id
    )
    return target.lstrip("/") if target.startswith("/") else posixpath.join("xl", target)


def rewrite_part(data: bytes, name: str, change: Callable[[bytes], bytes]) -> bytes:
    """A copy of the zip with one member's bytes changed."""
    buffer = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(data)) as source,
        zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as target,
    ):
        for member in source.infolist():
            content = source.read(member.filename)
            if member.filename == name:
                content = change(content)
            target.writestr(member.filename, content)
    return buffer.getvalue()


def zip_of(members: Mapping[str, bytes], compression: int = zipfile.ZIP_DEFLATED) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression) as archive:
        for name, content in members.items():
            archive.writestr(name, content)
    return buffer.getvalue()

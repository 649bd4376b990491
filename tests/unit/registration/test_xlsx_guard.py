"""The zip-level checks run before openpyxl sees an upload."""

from __future__ import annotations

import io
import zipfile

import pytest

from core.registration.errors import SpreadsheetRejected
from core.registration.xlsx_guard import check_xlsx_archive

from .workbooks import template_bytes, zip_of

MINIMAL_PARTS = {
    "[Content_Types].xml": b"<Types/>",
    "xl/workbook.xml": b"<workbook/>",
}


def rejection(data: bytes) -> str:
    with pytest.raises(SpreadsheetRejected) as caught:
        check_xlsx_archive(data)
    return caught.value.message


def test_template_passes() -> None:
    # given
    data = template_bytes()

    # when / then
    check_xlsx_archive(data)


def test_empty_file_is_rejected() -> None:
    assert "empty" in rejection(b"")


def test_file_over_five_megabytes_is_rejected() -> None:
    # given
    data = b"PK\x03\x04" + b"\0" * (5 * 1024 * 1024)

    # when
    message = rejection(data)

    # then
    assert "5.0 MB" in message


def test_csv_renamed_to_xlsx_is_rejected_with_advice_to_save_as_xlsx() -> None:
    # given
    data = b"Home name,Care category\nOak House,Residential\n"

    # when
    message = rejection(data)

    # then
    assert "not an Excel .xlsx workbook" in message
    assert "save it as an Excel Workbook (.xlsx)" in message


def test_old_xls_file_is_rejected() -> None:
    # given
    data = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 504

    # when
    message = rejection(data)

    # then
    assert ".xls" in message


def test_zip_without_workbook_parts_is_rejected() -> None:
    # given
    data = zip_of({"readme.txt": b"hello"})

    # when
    message = rejection(data)

    # then
    assert "not an Excel .xlsx workbook" in message


def test_workbook_with_vba_project_is_rejected_as_macro_enabled() -> None:
    # given
    data = zip_of({**MINIMAL_PARTS, "xl/vbaProject.bin": b"\0" * 100})

    # when
    message = rejection(data)

    # then
    assert "Macro-enabled workbooks" in message
    assert "not accepted" in message


def test_workbook_with_macro_enabled_content_type_is_rejected() -> None:
    # given
    content_types = (
        b'<Types><Override PartName="/xl/workbook.xml" ContentType="application/'
        b'vnd.ms-excel.sheet.macroEnabled.main+xml"/></Types>'
    )
    data = zip_of({**MINIMAL_PARTS, "[Content_Types].xml": content_types})

    # when
    message = rejection(data)

    # then
    assert "Macro-enabled workbooks" in message


def test_highly_compressed_member_is_rejected_as_zip_bomb() -> None:
    # given: 50 MB of zeros deflates to about 50 KB, a ratio near 1000:1
    data = zip_of({**MINIMAL_PARTS, "xl/worksheets/sheet1.xml": bytes(50 * 1024 * 1024)})
    assert len(data) < 5 * 1024 * 1024

    # when
    message = rejection(data)

    # then
    assert "compressed far more than a real spreadsheet" in message


def test_total_uncompressed_size_over_16_megabytes_is_rejected() -> None:
    # given: 110 members of 1 MB each, too small for the ratio check
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in MINIMAL_PARTS.items():
            archive.writestr(name, content)
        chunk = bytes(1024 * 1024)
        for number in range(110):
            archive.writestr(f"xl/media/image{number}.bin", chunk)

    # when
    message = rejection(buffer.getvalue())

    # then
    assert "unpacks to" in message
    assert "16.0 MB" in message


def test_sheet_xml_over_4_megabytes_is_rejected() -> None:
    # given: varied digits, so the ratio check does not catch it first
    rows = "".join(f'<row r="{n}"><c r="Z{n}"><v>{n * 7919}</v></c></row>' for n in range(260_000))
    sheet = f"<worksheet><sheetData>{rows}</sheetData></worksheet>".encode()
    assert len(sheet) > 10 * 1024 * 1024
    data = zip_of({**MINIMAL_PARTS, "xl/worksheets/sheet1.xml": sheet})

    # when
    message = rejection(data)

    # then
    assert "sheets hold" in message


def test_more_than_1000_entries_is_rejected() -> None:
    # given
    parts = {**MINIMAL_PARTS, **{f"xl/media/image{n}.png": b"x" for n in range(1000)}}

    # when
    message = rejection(zip_of(parts))

    # then
    assert "1,002 parts" in message


@pytest.mark.parametrize("name", ["/etc/passwd", "xl/../../evil.xml", "C:/evil.xml", "..\\x"])
def test_unsafe_member_name_is_rejected(name: str) -> None:
    # given
    data = zip_of({**MINIMAL_PARTS, name: b"x"})

    # when
    message = rejection(data)

    # then
    assert "unsafe name" in message

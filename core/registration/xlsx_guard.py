"""Vet an uploaded .xlsx as a zip archive before any XML parser sees it.

openpyxl has no decompressed-size check (notes/security.md section 7), so the limits are enforced
here from the zip's central directory alone. Python's ``zipfile`` never inflates a member beyond
the size its header declares, so capping the declared sizes caps the work openpyxl can be made to
do. The only member read is ``[Content_Types].xml`` (after the size checks, and at most 1 MB) to
spot a macro-enabled workbook that has no ``vbaProject.bin``.
"""

from __future__ import annotations

import io
import zipfile

from core.registration.errors import SpreadsheetRejected

MAX_UPLOAD_BYTES = 5 * 1024 * 1024
#: Everything unpacked (a filled 2,000-home template unpacks to about 1.1 MB).
MAX_UNCOMPRESSED_BYTES = 16 * 1024 * 1024
MAX_ENTRIES = 1000
MAX_COMPRESSION_RATIO = 200
RATIO_CHECK_FROM_BYTES = 1024 * 1024
MAX_CONTENT_TYPES_BYTES = 1024 * 1024
# openpyxl parses every sheet at load time when it has no <dimension>, and the parser reads the
# Homes sheet again; cap the XML that costs CPU. A filled 2,000-home sheet is about 1 MB.
MAX_SHEET_XML_BYTES = 4 * 1024 * 1024
# Every other XML part (styles, theme, workbook, relationships, drawings...) is parsed too, and
# is small in any real workbook (the template's styles.xml is 3 KB): an inflated styles.xml of
# 30 MB once took 31 s and 600 MB to parse.
MAX_OTHER_XML_PART_BYTES = 1024 * 1024

CONTENT_TYPES = "[Content_Types].xml"
WORKBOOK = "xl/workbook.xml"
VBA_PROJECT_NAME = "vbaproject.bin"

_OLE_SIGNATURE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_SAVE_AS_TAIL = (
    "open it in Excel or LibreOffice and save it as an Excel Workbook (.xlsx), "
    "or start from the registration template."
)
_SAVE_AS_XLSX = _SAVE_AS_TAIL[0].upper() + _SAVE_AS_TAIL[1:]


def check_xlsx_archive(data: bytes) -> None:
    """Raise ``SpreadsheetRejected`` unless ``data`` is a plausible, bounded, macro-free .xlsx."""
    if not data:
        raise SpreadsheetRejected("The file is empty. Upload the completed registration template.")
    if len(data) > MAX_UPLOAD_BYTES:
        raise SpreadsheetRejected(
            f"The file is {_megabytes(len(data))}; the largest file accepted is "
            f"{_megabytes(MAX_UPLOAD_BYTES)}."
        )
    if data.startswith(_OLE_SIGNATURE):
        raise SpreadsheetRejected(
            "The file is an older Excel (.xls) or password-protected workbook, not an Excel "
            f".xlsx workbook. Remove any password, then {_SAVE_AS_TAIL}"
        )
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, OSError, EOFError) as exc:
        raise SpreadsheetRejected(
            f"The file is not an Excel .xlsx workbook. {_SAVE_AS_XLSX}"
        ) from exc
    with archive:
        members = archive.infolist()
        _check_entries(members)
        _check_sizes(members)
        _check_content_types(archive)


def _check_entries(members: list[zipfile.ZipInfo]) -> None:
    if len(members) > MAX_ENTRIES:
        raise SpreadsheetRejected(
            f"The workbook has {len(members):,} parts; at most {MAX_ENTRIES:,} are accepted. "
            f"{_SAVE_AS_XLSX}"
        )
    names: set[str] = set()
    for member in members:
        name = member.filename
        if _is_unsafe_name(name):
            raise SpreadsheetRejected(
                "The workbook contains a part with an unsafe name, so it was not opened. "
                f"{_SAVE_AS_XLSX}"
            )
        if name in names:
            raise SpreadsheetRejected(
                f"The workbook is damaged (a part appears twice). {_SAVE_AS_XLSX}"
            )
        names.add(name)
        if member.flag_bits & 0x1:
            raise SpreadsheetRejected(
                f"The workbook is encrypted. Remove the password, then {_SAVE_AS_TAIL}"
            )
        if name.rsplit("/", 1)[-1].lower() == VBA_PROJECT_NAME:
            raise _macro_rejection()
    if CONTENT_TYPES not in names or WORKBOOK not in names:
        raise SpreadsheetRejected(
            "The file is a zip archive but not an Excel .xlsx workbook. " + _SAVE_AS_XLSX
        )


def _check_sizes(members: list[zipfile.ZipInfo]) -> None:
    total = 0
    sheet_xml = 0
    for member in members:
        total += member.file_size
        if _is_sheet_xml(member.filename):
            sheet_xml += member.file_size
        elif _is_xml(member.filename) and member.file_size > MAX_OTHER_XML_PART_BYTES:
            raise SpreadsheetRejected(
                f"The workbook's part {member.filename[:100]!r} unpacks to "
                f"{_megabytes(member.file_size)}; at most "
                f"{_megabytes(MAX_OTHER_XML_PART_BYTES)} is accepted for it. Copy your homes "
                "into a fresh registration template and upload that."
            )
        if (
            member.file_size > RATIO_CHECK_FROM_BYTES
            and member.file_size > MAX_COMPRESSION_RATIO * max(member.compress_size, 1)
        ):
            raise SpreadsheetRejected(
                "The workbook is compressed far more than a real spreadsheet would be, so it was "
                "not opened. " + _SAVE_AS_XLSX
            )
    if total > MAX_UNCOMPRESSED_BYTES:
        raise SpreadsheetRejected(
            f"The workbook unpacks to {_megabytes(total)}; at most "
            f"{_megabytes(MAX_UNCOMPRESSED_BYTES)} is accepted. Remove unused sheets, images "
            "or formatting and try again."
        )
    if sheet_xml > MAX_SHEET_XML_BYTES:
        raise SpreadsheetRejected(
            f"The workbook's sheets hold {_megabytes(sheet_xml)} of data; at most "
            f"{_megabytes(MAX_SHEET_XML_BYTES)} is accepted, far more than 2,000 homes need. "
            "Delete unused rows, columns and sheets, or copy your homes into a fresh template."
        )


def _check_content_types(archive: zipfile.ZipFile) -> None:
    try:
        with archive.open(CONTENT_TYPES) as manifest:
            content_types = manifest.read(MAX_CONTENT_TYPES_BYTES + 1)
    except (
        zipfile.BadZipFile,
        NotImplementedError,
        RuntimeError,
        ValueError,
        OSError,
        EOFError,
    ) as exc:
        raise SpreadsheetRejected(
            f"The workbook is damaged and could not be read. {_SAVE_AS_XLSX}"
        ) from exc
    if len(content_types) > MAX_CONTENT_TYPES_BYTES:
        raise SpreadsheetRejected(
            f"The workbook's list of parts is too large to be a real spreadsheet. {_SAVE_AS_XLSX}"
        )
    if b"macroenabled" in content_types.lower():
        raise _macro_rejection()


def _is_sheet_xml(name: str) -> bool:
    lowered = name.lower()
    return (lowered.startswith("xl/worksheets/") and "/_rels/" not in lowered) or lowered.endswith(
        "sharedstrings.xml"
    )


def _is_xml(name: str) -> bool:
    return name.lower().endswith((".xml", ".rels", ".vml"))


def _is_unsafe_name(name: str) -> bool:
    normalised = name.replace("\\", "/")
    if normalised.startswith("/") or (len(normalised) > 1 and normalised[1] == ":"):
        return True
    return ".." in normalised.split("/")


def _macro_rejection() -> SpreadsheetRejected:
    return SpreadsheetRejected(
        "Macro-enabled workbooks (.xlsm) are not accepted. Save the workbook as an Excel "
        "Workbook (.xlsx) without macros and upload it again."
    )


def _megabytes(size: int) -> str:
    return f"{size / (1024 * 1024):.1f} MB"

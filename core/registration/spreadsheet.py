"""Read an uploaded registration workbook and validate all of it before anything is saved.

Order of work: the zip is vetted (``check_xlsx_archive``), openpyxl opens it read-only with
cached formula values, each sheet is streamed row by row, and every problem found is raised at
once as ``SpreadsheetInvalid``. Anything openpyxl itself raises while parsing (bad zip, bad XML,
a refused DTD entity) becomes one ``SpreadsheetRejected``; only openpyxl's code runs inside
those handlers, so a bug here is never mistaken for a bad file.
"""

from __future__ import annotations

import io
from collections.abc import Generator, Sequence

import openpyxl
import openpyxl.xml
from defusedxml import DefusedXmlException
from openpyxl.workbook.workbook import Workbook
from openpyxl.worksheet._read_only import ReadOnlyWorksheet

from core.registration.errors import SpreadsheetInvalid, SpreadsheetRejected
from core.registration.fields import CellValue
from core.registration.homes import HomeRowReader, map_headers
from core.registration.layout import HOMES_SHEET, MAX_HOMES, ORGANISATION_SHEET
from core.registration.organisation import MAX_ORGANISATION_ROWS, read_organisation
from core.registration.types import (
    CategorySpec,
    CellProblem,
    HomeRow,
    OrganisationDetails,
    ParsedRegistration,
)
from core.registration.xlsx_guard import check_xlsx_archive

if not openpyxl.xml.DEFUSEDXML:
    # Without defusedxml openpyxl parses entity definitions (billion laughs); refuse to start.
    raise RuntimeError(
        "openpyxl is not using defusedxml: install defusedxml and do not set "
        "OPENPYXL_DEFUSEDXML=False"
    )

_RESAVE = "Open it in Excel or LibreOffice and save it again as an Excel Workbook (.xlsx)."


def parse_registration(
    data: bytes, categories: Sequence[CategorySpec], local_authority_names: Sequence[str]
) -> ParsedRegistration:
    """Parse and validate a registration upload.

    Raises ``SpreadsheetRejected`` when the file is not a readable, safe .xlsx workbook, and
    ``SpreadsheetInvalid`` listing every problem when its contents are wrong.
    """
    check_xlsx_archive(data)
    workbook = _open(data)
    try:
        organisation, problems = _read_organisation(workbook, local_authority_names)
        homes, home_problems = _read_homes(workbook, categories)
    finally:
        workbook.close()
    problems.extend(home_problems)
    if problems or organisation is None:
        raise SpreadsheetInvalid(problems)
    return ParsedRegistration(organisation=organisation, homes=homes)


def _open(data: bytes) -> Workbook:
    try:
        return openpyxl.load_workbook(
            io.BytesIO(data), read_only=True, data_only=True, keep_links=False
        )
    except Exception as exc:  # openpyxl raises many types for a malformed package
        raise _unreadable(exc) from exc


def _read_organisation(
    workbook: Workbook, local_authority_names: Sequence[str]
) -> tuple[OrganisationDetails | None, list[CellProblem]]:
    sheet = _sheet(workbook, ORGANISATION_SHEET)
    if sheet is None:
        return None, [_missing_sheet(ORGANISATION_SHEET)]
    rows = _rows(sheet, max_row=MAX_ORGANISATION_ROWS, max_col=2)
    return read_organisation(rows, local_authority_names)


def _read_homes(
    workbook: Workbook, categories: Sequence[CategorySpec]
) -> tuple[tuple[HomeRow, ...], list[CellProblem]]:
    sheet = _sheet(workbook, HOMES_SHEET)
    if sheet is None:
        return (), [_missing_sheet(HOMES_SHEET)]
    header_rows = _rows(sheet, max_row=1)
    header = next(header_rows, ())
    header_rows.close()
    columns, problems = map_headers(header)
    if columns is None:
        return (), problems

    reader = HomeRowReader(columns, categories)
    homes: list[HomeRow] = []
    count = 0
    rows = _rows(sheet, min_row=2, max_col=columns.width)
    for row_number, values in enumerate(rows, start=2):
        if _is_blank_row(values):
            continue
        count += 1
        if count > MAX_HOMES:
            rows.close()
            return (), [
                CellProblem(
                    HOMES_SHEET,
                    None,
                    f"Homes: found more than {MAX_HOMES:,} homes, expected at most {MAX_HOMES:,} "
                    "in one registration. Contact the portal team to register more.",
                )
            ]
        home = reader.read(row_number, values, problems)
        if home is not None:
            homes.append(home)
    if count == 0:
        problems.append(
            CellProblem(
                HOMES_SHEET,
                None,
                "Homes: found no homes, expected one home on each row below the headers",
            )
        )
    return tuple(homes), problems


def _sheet(workbook: Workbook, title: str) -> ReadOnlyWorksheet | None:
    wanted = title.casefold()
    for name in workbook.sheetnames:
        if name.strip().casefold() == wanted:
            sheet = workbook[name]
            if isinstance(sheet, ReadOnlyWorksheet):
                # The <dimension> element is often wrong (some tools write "A1"); read what is
                # there instead of trusting it.
                sheet.reset_dimensions()
                return sheet
    return None


def _rows(sheet: ReadOnlyWorksheet, **bounds: int) -> Generator[tuple[CellValue, ...], None, None]:
    """The sheet's rows as value tuples; a parse failure inside openpyxl rejects the file."""
    try:
        yield from sheet.iter_rows(values_only=True, **bounds)
    except Exception as exc:  # only openpyxl's parser runs inside this frame
        raise _unreadable(exc) from exc


def _is_blank_row(values: Sequence[CellValue]) -> bool:
    for value in values:
        if value is not None and (not isinstance(value, str) or value.strip()):
            return False
    return True


def _missing_sheet(title: str) -> CellProblem:
    return CellProblem(
        title,
        None,
        f'The workbook has no sheet named "{title}"; expected the sheets {ORGANISATION_SHEET} '
        f"and {HOMES_SHEET} from the registration template",
    )


def _unreadable(exc: BaseException) -> SpreadsheetRejected:
    cause: BaseException | None = exc
    seen: set[int] = set()
    while cause is not None and id(cause) not in seen:
        seen.add(id(cause))
        if isinstance(cause, DefusedXmlException):
            return SpreadsheetRejected(
                "The workbook contains XML that is not allowed (document type definitions or "
                f"entities), so it was not read. {_RESAVE}"
            )
        cause = cause.__cause__ or cause.__context__
    return SpreadsheetRejected(f"The workbook could not be read; it may be damaged. {_RESAVE}")

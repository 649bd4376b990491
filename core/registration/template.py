"""Build the blank registration workbook providers download, fill in and upload."""

from __future__ import annotations

import io
from collections.abc import Sequence

from openpyxl import Workbook
from openpyxl.cell.cell import Cell
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter, quote_sheetname
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.worksheet import Worksheet

from core.registration.layout import (
    ANY_GENDER,
    BEDS,
    BEDS_FREE,
    BEDS_FREE_FROM,
    CARE_CATEGORY,
    COMPANIES_HOUSE_NUMBER,
    CONTACT_EMAIL,
    CONTACT_NAME,
    CONTACT_PHONE,
    CONTRACT_TYPE,
    CONTRACT_TYPE_CHOICES,
    GENDER_CHOICES,
    GENDERS_ACCEPTED,
    HOME_HEADERS,
    HOME_NAME,
    HOMES_SHEET,
    INSTRUCTIONS_SHEET,
    LOCAL_AUTHORITY_AREA,
    MANAGING_LOCAL_AUTHORITY,
    MAX_HOMES,
    MAXIMUM_AGE,
    MINIMUM_AGE,
    OFSTED_URN,
    OLDEST_AGE,
    OPTIONAL_HOME_HEADERS,
    ORGANISATION_LABELS,
    ORGANISATION_NAME,
    ORGANISATION_SHEET,
    POSTCODE,
    YOUNGEST_AGE,
)

LISTS_SHEET = "Lists"
FIRST_HOME_ROW = 2
LAST_HOME_ROW = FIRST_HOME_ROW + MAX_HOMES - 1

_BOLD = Font(bold=True)
_TITLE = Font(bold=True, size=14)
_WRAP = Alignment(wrap_text=True, vertical="top")

_HOME_WIDTHS = {
    HOME_NAME: 32,
    CARE_CATEGORY: 30,
    MINIMUM_AGE: 14,
    MAXIMUM_AGE: 14,
    GENDERS_ACCEPTED: 22,
    BEDS: 8,
    POSTCODE: 12,
    LOCAL_AUTHORITY_AREA: 28,
    OFSTED_URN: 14,
    CONTRACT_TYPE: 16,
    BEDS_FREE: 11,
    BEDS_FREE_FROM: 16,
}

_ORGANISATION_HELP = {
    ORGANISATION_NAME: ("Your organisation's registered name.", "Bright Futures Care Ltd"),
    COMPANIES_HOUSE_NUMBER: (
        "Optional. Your 8-character Companies House number, including any leading zeros or "
        "letters.",
        "01234567",
    ),
    CONTACT_NAME: (
        "The person the portal team should contact about this registration.",
        "Sam Taylor",
    ),
    CONTACT_EMAIL: ("That person's email address.", "sam.taylor@example.org"),
    CONTACT_PHONE: ("That person's telephone number.", "020 7946 0000"),
    MANAGING_LOCAL_AUTHORITY: (
        "The local authority that will review your registration. Choose it from the list.",
        "",
    ),
}

_HOME_HELP = {
    HOME_NAME: ("The name you use for the home.", "Oak House"),
    CARE_CATEGORY: ("The kind of care the home gives. Choose it from the list.", ""),
    MINIMUM_AGE: (
        f"The youngest age the home accepts: a whole number from {YOUNGEST_AGE} to "
        f"{OLDEST_AGE}. Some care categories have their own age limits.",
        "8",
    ),
    MAXIMUM_AGE: (
        f"The oldest age the home accepts: a whole number from {YOUNGEST_AGE} to {OLDEST_AGE}, "
        "and not lower than the minimum age.",
        "17",
    ),
    GENDERS_ACCEPTED: (
        "Who the home accepts: Female, Male, Other, or Any for all three. "
        "To give more than one, separate them with commas.",
        "Female, Male",
    ),
    BEDS: ("How many beds the home has: a whole number, 1 or more.", "4"),
    POSTCODE: ("The home's UK postcode.", "SW1A 1AA"),
    LOCAL_AUTHORITY_AREA: ("Optional. The local authority area the home is in.", "Camden"),
    OFSTED_URN: (
        "The home's Ofsted unique reference number, if it has one: SC followed by 6 digits, "
        "or a 6 or 7 digit number. Leave blank if the home is not registered with Ofsted.",
        "SC123456",
    ),
    CONTRACT_TYPE: (
        "How the home is offered: Framework or Spot. Choose it from the list.",
        "Framework",
    ),
    BEDS_FREE: (
        "Optional. Your vacancies: how many of the home's beds are free (0 for none). "
        "Blank: not declared. Confirm it in the portal at least every two weeks.",
        "1",
    ),
    BEDS_FREE_FROM: (
        "Optional. The date the free beds are free from; blank means now. With 0 beds free, "
        "leave it blank.",
        "2026-04-01",
    ),
}


def build_template(category_labels: list[str], local_authority_names: list[str]) -> bytes:
    """The blank registration workbook (.xlsx) with drop-down lists for the given choices."""
    workbook = Workbook()
    instructions = workbook.active
    assert instructions is not None
    instructions.title = INSTRUCTIONS_SHEET
    organisation = workbook.create_sheet(ORGANISATION_SHEET)
    homes = workbook.create_sheet(HOMES_SHEET)
    lists = workbook.create_sheet(LISTS_SHEET)
    lists.sheet_state = "hidden"

    category_range = _write_list(lists, 1, category_labels)
    authority_range = _write_list(lists, 2, local_authority_names)
    _build_organisation(organisation, authority_range)
    _build_homes(homes, category_range)
    _build_instructions(instructions, category_labels)

    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _build_organisation(sheet: Worksheet, authority_range: str | None) -> None:
    for row, label in enumerate(ORGANISATION_LABELS, start=1):
        sheet.cell(row=row, column=1, value=label).font = _BOLD
        value_cell = sheet.cell(row=row, column=2)
        if label in (COMPANIES_HOUSE_NUMBER, CONTACT_PHONE):
            value_cell.number_format = "@"  # keep leading zeros as typed
        if label == MANAGING_LOCAL_AUTHORITY and authority_range is not None:
            validation = DataValidation(
                type="list",
                formula1=authority_range,
                allow_blank=True,
                showErrorMessage=True,
                errorTitle="Managing local authority",
                error="Choose a local authority from the list.",
            )
            sheet.add_data_validation(validation)
            validation.add(value_cell)
    sheet.column_dimensions["A"].width = 28
    sheet.column_dimensions["B"].width = 45


def _build_homes(sheet: Worksheet, category_range: str | None) -> None:
    column_of: dict[str, str] = {}
    for position, header in enumerate((*HOME_HEADERS, *OPTIONAL_HOME_HEADERS), start=1):
        letter = get_column_letter(position)
        column_of[header] = letter
        sheet.cell(row=1, column=position, value=header).font = _BOLD
        sheet.column_dimensions[letter].width = _HOME_WIDTHS[header]
    for text_header in (POSTCODE, OFSTED_URN):
        sheet.column_dimensions[column_of[text_header]].number_format = "@"
    sheet.freeze_panes = "A2"

    def cells(header: str) -> str:
        letter = column_of[header]
        return f"{letter}{FIRST_HOME_ROW}:{letter}{LAST_HOME_ROW}"

    validations: list[tuple[str, DataValidation]] = []
    if category_range is not None:
        validations.append((CARE_CATEGORY, _choice(category_range, CARE_CATEGORY)))
    genders = [label for label, _ in GENDER_CHOICES] + [ANY_GENDER]
    gender_validation = DataValidation(
        type="list",
        formula1=_literal_list(genders),
        allow_blank=True,
        showErrorMessage=False,  # several genders may be typed, separated by commas
        showInputMessage=True,
        promptTitle=GENDERS_ACCEPTED,
        prompt="Choose one, or type several separated by commas, such as: Female, Male",
    )
    validations.append((GENDERS_ACCEPTED, gender_validation))
    contract_types = [label for label, _ in CONTRACT_TYPE_CHOICES]
    validations.append((CONTRACT_TYPE, _choice(_literal_list(contract_types), CONTRACT_TYPE)))
    for age_header in (MINIMUM_AGE, MAXIMUM_AGE):
        validations.append(
            (
                age_header,
                DataValidation(
                    type="whole",
                    operator="between",
                    formula1=str(YOUNGEST_AGE),
                    formula2=str(OLDEST_AGE),
                    allow_blank=True,
                    showErrorMessage=True,
                    errorTitle=age_header,
                    error=f"Enter a whole number from {YOUNGEST_AGE} to {OLDEST_AGE}.",
                ),
            )
        )
    validations.append(
        (
            BEDS,
            DataValidation(
                type="whole",
                operator="greaterThanOrEqual",
                formula1="1",
                allow_blank=True,
                showErrorMessage=True,
                errorTitle=BEDS,
                error="Enter a whole number, 1 or more.",
            ),
        )
    )
    for header, validation in validations:
        sheet.add_data_validation(validation)
        validation.add(cells(header))


def _build_instructions(sheet: Worksheet, category_labels: list[str]) -> None:
    sheet.column_dimensions["A"].width = 14
    sheet.column_dimensions["B"].width = 26
    sheet.column_dimensions["C"].width = 80
    sheet.column_dimensions["D"].width = 24
    sheet["A1"] = "How to complete the registration spreadsheet"
    sheet["A1"].font = _TITLE
    paragraphs = (
        f"1. On the {ORGANISATION_SHEET} sheet, type each answer in column B, next to its "
        "label in column A.",
        f"2. On the {HOMES_SHEET} sheet, enter one home per row, starting in row 2. Keep the "
        "headers in row 1 as they are. You can list up to "
        f"{MAX_HOMES:,} homes.",
        "3. Save the file as an Excel Workbook (.xlsx). Macro-enabled (.xlsm), older .xls and "
        ".csv files are not accepted.",
        "4. Upload it on the portal. Every problem is listed at once with the sheet and cell "
        "to fix, such as Homes E7. Uploading again replaces the homes you uploaded before.",
    )
    row = 3
    for paragraph in paragraphs:
        cell = sheet.cell(row=row, column=1, value=paragraph)
        sheet.merge_cells(start_row=row, start_column=1, end_row=row, end_column=4)
        cell.alignment = _WRAP
        sheet.row_dimensions[row].height = 30
        row += 1

    row += 1
    for column, heading in enumerate(("Sheet", "Column", "What to enter", "Example"), start=1):
        sheet.cell(row=row, column=column, value=heading).font = _BOLD
    help_rows = [
        (ORGANISATION_SHEET, label, *_ORGANISATION_HELP[label]) for label in ORGANISATION_LABELS
    ]
    help_rows += [
        (HOMES_SHEET, header, *_HOME_HELP[header])
        for header in (*HOME_HEADERS, *OPTIONAL_HOME_HEADERS)
    ]
    for sheet_name, column_name, explanation, example in help_rows:
        row += 1
        if column_name == CARE_CATEGORY and category_labels:
            explanation = f"{explanation} One of: {', '.join(category_labels)}."
            example = category_labels[0]
        values = (sheet_name, column_name, explanation, example)
        for column, value in enumerate(values, start=1):
            _put_text(sheet.cell(row=row, column=column), value).alignment = _WRAP


def _write_list(sheet: Worksheet, column: int, values: Sequence[str]) -> str | None:
    """Write a drop-down's choices down one column of the hidden sheet; return its range."""
    if not values:
        return None
    for row, value in enumerate(values, start=1):
        _put_text(sheet.cell(row=row, column=column), value)
    letter = get_column_letter(column)
    return f"{quote_sheetname(sheet.title)}!${letter}$1:${letter}${len(values)}"


def _choice(formula: str, header: str) -> DataValidation:
    return DataValidation(
        type="list",
        formula1=formula,
        allow_blank=True,
        showErrorMessage=True,
        errorTitle=header,
        error="Choose a value from the list.",
    )


def _literal_list(choices: Sequence[str]) -> str:
    return '"' + ",".join(choices) + '"'


def _put_text(cell: Cell, value: str) -> Cell:
    """Store text as text even when it starts with "=" (never as a formula)."""
    cell.value = value
    if cell.data_type == "f":
        cell.data_type = "s"
    return cell

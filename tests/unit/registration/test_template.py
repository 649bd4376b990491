"""The blank registration workbook providers download."""

from __future__ import annotations

import io

import openpyxl
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.worksheet import Worksheet

from core.registration.layout import HOME_HEADERS, OPTIONAL_HOME_HEADERS, ORGANISATION_LABELS
from core.registration.template import build_template

from .workbooks import CATEGORY_LABELS, LOCAL_AUTHORITIES, template_bytes


def load(data: bytes) -> openpyxl.Workbook:
    return openpyxl.load_workbook(io.BytesIO(data))


def validation_for(sheet: Worksheet, cell: str) -> DataValidation:
    (validation,) = [v for v in sheet.data_validations.dataValidation if cell in v.sqref]
    return validation


def list_values(workbook: openpyxl.Workbook, formula: str) -> list[str]:
    sheet_name, cells = formula.split("!")
    sheet = workbook[sheet_name.strip("'")]
    return [row[0].value for row in sheet[cells.replace("$", "")]]


def test_organisation_sheet_has_the_labels_in_column_a_and_empty_values() -> None:
    # when
    sheet = load(template_bytes())["Organisation"]

    # then
    assert [sheet.cell(row=r, column=1).value for r in range(1, 7)] == list(ORGANISATION_LABELS)
    assert all(sheet.cell(row=r, column=2).value is None for r in range(1, 7))


def test_homes_sheet_has_the_headers_in_bold_in_row_1() -> None:
    # when
    sheet = load(template_bytes())["Homes"]

    # then
    assert [cell.value for cell in sheet[1]] == [*HOME_HEADERS, *OPTIONAL_HOME_HEADERS]
    assert all(cell.font.bold for cell in sheet[1])


def test_managing_local_authority_has_a_drop_down_of_the_given_names() -> None:
    # given
    workbook = load(template_bytes())

    # when
    validation = validation_for(workbook["Organisation"], "B6")

    # then
    assert validation.type == "list"
    assert list_values(workbook, validation.formula1) == LOCAL_AUTHORITIES


def test_no_local_authority_drop_down_without_names() -> None:
    # when
    sheet = load(build_template(CATEGORY_LABELS, []))["Organisation"]

    # then
    assert sheet.data_validations.dataValidation == []


def test_care_category_has_a_drop_down_of_the_labels_for_2000_rows() -> None:
    # given
    workbook = load(template_bytes())

    # when
    validation = validation_for(workbook["Homes"], "B2")

    # then
    assert str(validation.sqref) == "B2:B2001"
    assert list_values(workbook, validation.formula1) == CATEGORY_LABELS


def test_genders_drop_down_allows_other_text() -> None:
    # when
    validation = validation_for(load(template_bytes())["Homes"], "E2")

    # then
    assert validation.formula1 == '"Female,Male,Other,Any"'
    assert not validation.showErrorMessage
    assert validation.prompt


def test_contract_type_has_a_framework_or_spot_drop_down() -> None:
    # when
    validation = validation_for(load(template_bytes())["Homes"], "J2")

    # then
    assert (validation.type, validation.formula1) == ("list", '"Framework,Spot"')


def test_ages_are_whole_numbers_from_0_to_17() -> None:
    # given
    sheet = load(template_bytes())["Homes"]

    # when
    validations = [validation_for(sheet, "C2"), validation_for(sheet, "D2001")]

    # then
    assert {(v.type, v.operator, v.formula1, v.formula2) for v in validations} == {
        ("whole", "between", "0", "17")
    }


def test_beds_are_whole_numbers_of_at_least_1() -> None:
    # when
    validation = validation_for(load(template_bytes())["Homes"], "F2")

    # then
    assert (validation.type, validation.operator, validation.formula1) == (
        "whole",
        "greaterThanOrEqual",
        "1",
    )


def test_instructions_explain_every_column() -> None:
    # given
    sheet = load(template_bytes())["Instructions"]

    # when
    explained = {row[1] for row in sheet.iter_rows(values_only=True)}

    # then
    assert set(ORGANISATION_LABELS) | set(HOME_HEADERS) <= explained


def test_choice_starting_with_equals_is_written_as_text_not_a_formula() -> None:
    # given
    workbook = load(build_template(["=cmd|' /C calc'!A0"], LOCAL_AUTHORITIES))

    # when
    cell = workbook["Lists"]["A1"]

    # then
    assert (cell.value, cell.data_type) == ("=cmd|' /C calc'!A0", "s")

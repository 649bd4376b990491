"""Reading and validating an uploaded registration workbook."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest

from core.registration.errors import SpreadsheetInvalid, SpreadsheetRejected
from core.registration.spreadsheet import parse_registration
from core.registration.types import (
    CellProblem,
    HomeRow,
    OrganisationDetails,
    ParsedRegistration,
)

from .workbooks import (
    CATEGORIES,
    HOME,
    LOCAL_AUTHORITIES,
    ORGANISATION,
    filled_template,
    home,
    home_rows,
    organisation_rows,
    plain_workbook,
    rewrite_part,
    sheet_part,
)


def parse(data: bytes) -> ParsedRegistration:
    return parse_registration(data, CATEGORIES, LOCAL_AUTHORITIES)


def problems_of(data: bytes) -> list[CellProblem]:
    with pytest.raises(SpreadsheetInvalid) as caught:
        parse(data)
    return caught.value.problems


def only_home(data: bytes) -> HomeRow:
    (parsed_home,) = parse(data).homes
    return parsed_home


def test_filled_template_parses() -> None:
    # given
    data = filled_template()

    # when
    parsed = parse(data)

    # then
    assert parsed.organisation == OrganisationDetails(
        organisation_name="Bright Futures Care Ltd",
        companies_house_number="01234567",
        contact_name="Sam Taylor",
        contact_email="sam.taylor@example.org",
        contact_phone="020 7946 0000",
        managing_local_authority="Camden",
    )
    assert parsed.homes == (
        HomeRow(
            row=2,
            name="Oak House",
            category="RESIDENTIAL",
            min_age=8,
            max_age=17,
            genders=("FEMALE", "MALE"),
            beds=4,
            postcode="SW1A 1AA",
            local_authority_area="Camden",
            ofsted_urn="SC123456",
            contract_type="FRAMEWORK",
        ),
    )


def test_headers_in_another_order_with_spaces_and_other_case_are_matched() -> None:
    # given
    headers = list(reversed(list(HOME)))
    row = [HOME[header] for header in headers]
    headers = [f"  {header.upper()} " for header in headers]
    data = plain_workbook({"Organisation": organisation_rows(), "Homes": [headers, row]})

    # when
    parsed_home = only_home(data)

    # then
    assert parsed_home.name == "Oak House"
    assert parsed_home.beds == 4


def test_sheet_and_label_names_ignore_spacing_and_case() -> None:
    # given
    organisation = [[f" {label.lower()} ", value] for label, value in organisation_rows()]
    data = plain_workbook({"organisation": organisation, "HOMES ": home_rows(HOME)})

    # when
    parsed = parse(data)

    # then
    assert parsed.organisation.organisation_name == "Bright Futures Care Ltd"


def test_numbers_given_as_floats_or_text_are_read_as_whole_numbers() -> None:
    # given
    data = filled_template(homes=[home(minimum_age=3.0, maximum_age=" 17 ", beds="2.0")])

    # when
    parsed_home = only_home(data)

    # then
    assert (parsed_home.min_age, parsed_home.max_age, parsed_home.beds) == (3, 17, 2)


def test_formula_cells_are_read_as_their_cached_values() -> None:
    # given: openpyxl writes formulas without results, so add the results Excel would cache
    data = filled_template(homes=[home(beds="=2+1", postcode='="SW1A "&"2AA"')])

    def add_cached_values(xml: bytes) -> bytes:
        text = xml.decode()
        text, beds = re.subn(r'(<c r="F2"[^>]*)(><f>[^<]*</f>)<v ?/>', r"\1\2<v>3</v>", text)
        text, postcode = re.subn(
            r'(<c r="G2"[^>]*)(><f>[^<]*</f>)<v ?/>', r'\1 t="str"\2<v>SW1A 2AA</v>', text
        )
        assert (beds, postcode) == (1, 1)
        return text.encode()

    data = rewrite_part(data, sheet_part(data, "Homes"), add_cached_values)

    # when
    parsed_home = only_home(data)

    # then
    assert (parsed_home.beds, parsed_home.postcode) == (3, "SW1A 2AA")


def test_blank_rows_are_skipped() -> None:
    # given: row 3 empty, row 4 only spaces
    spaces = dict.fromkeys(HOME, "   ")
    data = filled_template(homes=[HOME, None, spaces, home(home_name="Elm House")])

    # when
    parsed = parse(data)

    # then
    assert [(h.row, h.name) for h in parsed.homes] == [(2, "Oak House"), (5, "Elm House")]


def test_wrong_dimension_element_does_not_hide_rows() -> None:
    # given: some writers declare the sheet as just "A1"
    data = filled_template(homes=[HOME, home(home_name="Elm House")])
    data = rewrite_part(
        data,
        sheet_part(data, "Homes"),
        lambda xml: re.sub(rb'<dimension ref="[^"]*" ?/>', b'<dimension ref="A1"/>', xml),
    )

    # when
    parsed = parse(data)

    # then
    assert [h.name for h in parsed.homes] == ["Oak House", "Elm House"]


def test_ten_mistakes_give_exactly_ten_problems_with_their_cells() -> None:
    # given
    organisation = {
        **ORGANISATION,
        "Main contact email": "not-an-email",
        "Managing local authority": "Atlantis",
    }
    homes = [
        home(minimum_age=19),
        home(care_category="Foster", beds=0),
        home(postcode="NOT A POSTCODE", genders_accepted="Female, Robots"),
        home(contract_type="Weekly", ofsted_urn="XY12"),
        home(minimum_age=12, maximum_age=10),
    ]

    # when
    problems = problems_of(filled_template(organisation, homes))

    # then
    assert sorted((p.sheet, p.cell) for p in problems) == sorted(
        [
            ("Organisation", "B4"),
            ("Organisation", "B6"),
            ("Homes", "C2"),
            ("Homes", "B3"),
            ("Homes", "F3"),
            ("Homes", "G4"),
            ("Homes", "E4"),
            ("Homes", "J5"),
            ("Homes", "I5"),
            ("Homes", "D6"),
        ]
    )


def test_problem_message_names_column_value_found_and_expectation() -> None:
    # when
    (problem,) = problems_of(filled_template(homes=[home(minimum_age=19)]))

    # then
    assert problem == CellProblem(
        "Homes", "C2", 'Minimum age: found "19", expected a whole number from 0 to 17'
    )


def test_blank_required_cell_is_reported_as_blank() -> None:
    # when
    (problem,) = problems_of(filled_template(homes=[home(beds=None)]))

    # then
    assert problem.cell == "F2"
    assert problem.message == "Beds: found a blank cell, expected a whole number of 1 or more"


def test_minimum_age_above_maximum_age_is_reported_on_the_maximum_age() -> None:
    # when
    (problem,) = problems_of(filled_template(homes=[home(minimum_age=12, maximum_age=10)]))

    # then
    assert problem.cell == "D2"
    assert "no lower than the minimum age (12)" in problem.message


def test_age_outside_the_category_range_is_reported() -> None:
    # given
    row = home(care_category="Supported Accommodation", minimum_age=14, maximum_age=17)

    # when
    (problem,) = problems_of(filled_template(homes=[row]))

    # then
    assert problem == CellProblem(
        "Homes",
        "C2",
        'Minimum age: found "14", expected 16 or over for Supported Accommodation homes',
    )


def test_category_rules_are_reported_on_the_category_cell() -> None:
    # given
    row = home(care_category="Residential Family Assessment", beds=8)

    # when
    (problem,) = problems_of(filled_template(homes=[row]))

    # then
    assert problem == CellProblem(
        "Homes", "B2", "Residential Family Assessment homes can have at most 6 beds"
    )


def test_category_is_matched_by_value_as_well_as_label() -> None:
    # given
    row = home(care_category="supported_accommodation", minimum_age=16)

    # when
    parsed_home = only_home(filled_template(homes=[row]))

    # then
    assert parsed_home.category == "SUPPORTED_ACCOMMODATION"


def test_any_gender_means_female_male_and_other() -> None:
    # when
    parsed_home = only_home(filled_template(homes=[home(genders_accepted="any")]))

    # then
    assert parsed_home.genders == ("FEMALE", "MALE", "OTHER")


def test_genders_are_returned_once_each_in_a_fixed_order() -> None:
    # when
    parsed_home = only_home(filled_template(homes=[home(genders_accepted="Other,female, OTHER")]))

    # then
    assert parsed_home.genders == ("FEMALE", "OTHER")


def test_blank_ofsted_urn_and_area_are_allowed() -> None:
    # when
    parsed_home = only_home(
        filled_template(homes=[home(ofsted_urn=None, local_authority_area=None)])
    )

    # then
    assert (parsed_home.ofsted_urn, parsed_home.local_authority_area) == (None, None)


def test_numeric_ofsted_urn_is_accepted() -> None:
    # when
    parsed_home = only_home(filled_template(homes=[home(ofsted_urn=1234567)]))

    # then
    assert parsed_home.ofsted_urn == "1234567"


def test_special_postcode_gir_0aa_is_accepted() -> None:
    # when
    parsed_home = only_home(filled_template(homes=[home(postcode="gir0aa")]))

    # then
    assert parsed_home.postcode == "GIR 0AA"


def test_managing_local_authority_is_matched_ignoring_case_and_returned_as_listed() -> None:
    # given
    organisation = {**ORGANISATION, "Managing local authority": "  bristol,  city OF "}

    # when
    parsed = parse(filled_template(organisation))

    # then
    assert parsed.organisation.managing_local_authority == "Bristol, City of"


def test_companies_house_number_typed_as_a_number_gets_its_leading_zeros_back() -> None:
    # given: a plain workbook, so the cell is not formatted as text
    organisation = {**ORGANISATION, "Companies House number": 1234567}
    data = plain_workbook(
        {"Organisation": organisation_rows(organisation), "Homes": home_rows(HOME)}
    )

    # when
    parsed = parse(data)

    # then
    assert parsed.organisation.companies_house_number == "01234567"


def test_missing_organisation_label_is_one_problem() -> None:
    # given
    rows = [row for row in organisation_rows() if row[0] != "Main contact phone"]
    data = plain_workbook({"Organisation": rows, "Homes": home_rows(HOME)})

    # when
    (problem,) = problems_of(data)

    # then
    assert (problem.sheet, problem.cell) == ("Organisation", None)
    assert "Main contact phone" in problem.message


def test_missing_homes_sheet_is_one_problem() -> None:
    # given
    data = plain_workbook({"Organisation": organisation_rows()})

    # when
    (problem,) = problems_of(data)

    # then
    assert (problem.sheet, problem.cell) == ("Homes", None)
    assert 'no sheet named "Homes"' in problem.message


def test_missing_header_is_one_problem() -> None:
    # given
    headers = [header for header in HOME if header != "Beds"]
    row = [HOME[header] for header in headers]
    data = plain_workbook({"Organisation": organisation_rows(), "Homes": [headers, row]})

    # when
    (problem,) = problems_of(data)

    # then
    assert (problem.sheet, problem.cell) == ("Homes", None)
    assert problem.message.startswith("Row 1 is missing the header Beds;")


def test_repeated_header_is_reported_on_its_cell() -> None:
    # given
    headers = [*HOME, "Beds"]
    row = [*HOME.values(), 3]
    data = plain_workbook({"Organisation": organisation_rows(), "Homes": [headers, row]})

    # when
    (problem,) = problems_of(data)

    # then
    assert (problem.sheet, problem.cell) == ("Homes", "K1")


def test_sheet_with_headers_but_no_homes_is_one_problem() -> None:
    # when
    (problem,) = problems_of(filled_template(homes=[]))

    # then
    assert (problem.sheet, problem.cell) == ("Homes", None)
    assert "found no homes" in problem.message


def test_two_thousand_homes_are_accepted() -> None:
    # given
    data = plain_workbook({"Organisation": organisation_rows(), "Homes": home_rows(*[HOME] * 2000)})

    # when
    parsed = parse(data)

    # then
    assert len(parsed.homes) == 2000
    assert parsed.homes[-1].row == 2001


def test_more_than_two_thousand_homes_is_one_problem() -> None:
    # given
    data = plain_workbook({"Organisation": organisation_rows(), "Homes": home_rows(*[HOME] * 2001)})

    # when
    (problem,) = problems_of(data)

    # then
    assert (problem.sheet, problem.cell) == ("Homes", None)
    assert "more than 2,000 homes" in problem.message


def test_csv_renamed_to_xlsx_is_rejected() -> None:
    # when
    with pytest.raises(SpreadsheetRejected) as caught:
        parse(b"Home name,Beds\nOak House,4\n")

    # then
    assert "not an Excel .xlsx workbook" in caught.value.message


def test_billion_laughs_entity_in_sheet_xml_is_rejected() -> None:
    # given
    doctype = (
        b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
        b'<!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">'
        b'<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">]>'
    )
    data = filled_template()
    data = rewrite_part(
        data,
        sheet_part(data, "Homes"),
        lambda xml: doctype + xml.replace(b"Oak House", b"&lol3;"),
    )

    # when
    with pytest.raises(SpreadsheetRejected) as caught:
        parse(data)

    # then
    assert "not allowed" in caught.value.message


def test_malformed_sheet_xml_is_rejected() -> None:
    # given
    data = filled_template()
    data = rewrite_part(
        data, sheet_part(data, "Homes"), lambda xml: xml.replace(b"</sheetData>", b"")
    )

    # when
    with pytest.raises(SpreadsheetRejected) as caught:
        parse(data)

    # then
    assert "could not be read" in caught.value.message


@pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice (soffice) not on PATH")
# openpyxl warns (and drops) extensions it does not know; LibreOffice may write some.
@pytest.mark.filterwarnings("ignore:.*extension is not supported:UserWarning")
def test_template_saved_again_by_libreoffice_parses(tmp_path: Path) -> None:
    # given
    source = tmp_path / "in" / "registration.xlsx"
    source.parent.mkdir()
    source.write_bytes(filled_template(homes=[HOME, home(home_name="Elm House", beds=2)]))
    out = tmp_path / "out"
    profile = (tmp_path / "profile").as_uri()
    subprocess.run(
        [
            "soffice",
            f"-env:UserInstallation={profile}",
            "--headless",
            "--convert-to",
            "xlsx:Calc MS Excel 2007 XML",
            "--outdir",
            str(out),
            str(source),
        ],
        check=True,
        capture_output=True,
        timeout=180,
    )

    # when
    parsed = parse((out / "registration.xlsx").read_bytes())

    # then
    assert [(h.name, h.beds, h.postcode) for h in parsed.homes] == [
        ("Oak House", 4, "SW1A 1AA"),
        ("Elm House", 2, "SW1A 1AA"),
    ]
    assert parsed.organisation.companies_house_number == "01234567"

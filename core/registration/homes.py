"""Validate the ``Homes`` sheet: a header row in any order, then one home per row."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TypeVar

from openpyxl.utils import get_column_letter

from core.registration import fields
from core.registration.fields import CellValue, FieldInvalid
from core.registration.layout import (
    ANY_GENDER,
    BEDS,
    BEDS_FREE,
    BEDS_FREE_FROM,
    CARE_CATEGORY,
    CONTRACT_TYPE,
    CONTRACT_TYPE_CHOICES,
    GENDER_CHOICES,
    GENDERS_ACCEPTED,
    HOME_HEADERS,
    HOME_NAME,
    HOMES_SHEET,
    LOCAL_AUTHORITY_AREA,
    MAXIMUM_AGE,
    MINIMUM_AGE,
    OFSTED_URN,
    OLDEST_AGE,
    OPTIONAL_HOME_HEADERS,
    POSTCODE,
    YOUNGEST_AGE,
    header_key,
)
from core.registration.types import CategorySpec, CellProblem, HomeRow

_HEADER_KEYS = {header_key(header): header for header in (*HOME_HEADERS, *OPTIONAL_HOME_HEADERS)}
_AGE_EXPECTED = f"a whole number from {YOUNGEST_AGE} to {OLDEST_AGE}"
_GENDER_EXPECTED = "Female, Male, Other or Any, separated by commas (such as Female, Male)"
_GENDERS = {header_key(label): value for label, value in GENDER_CHOICES}
_ALL_GENDERS = tuple(value for _, value in GENDER_CHOICES)
_CONTRACT_TYPES = {header_key(label): value for label, value in CONTRACT_TYPE_CHOICES}
_CONTRACT_TYPES.update({header_key(value): value for _, value in CONTRACT_TYPE_CHOICES})
_CONTRACT_EXPECTED = " or ".join(label for label, _ in CONTRACT_TYPE_CHOICES)
_T = TypeVar("_T")


@dataclass(frozen=True)
class HomeColumns:
    """Where each header sits: its 0-based index and its column letter."""

    index: dict[str, int]
    letter: dict[str, str]

    @property
    def width(self) -> int:
        """How many columns of each row must be read to see every known header."""
        return max(self.index.values()) + 1


def map_headers(header_row: Sequence[CellValue]) -> tuple[HomeColumns | None, list[CellProblem]]:
    """Find the known headers in row 1 (any order; spacing and case ignored)."""
    index: dict[str, int] = {}
    problems: list[CellProblem] = []
    for position, raw in enumerate(header_row):
        header = _HEADER_KEYS.get(header_key(fields.as_text(raw)))
        if header is None:
            continue
        if header in index:
            problems.append(
                CellProblem(
                    HOMES_SHEET,
                    f"{get_column_letter(position + 1)}1",
                    f"{header}: found this header again, expected it once (it is already in "
                    f"{get_column_letter(index[header] + 1)}1)",
                )
            )
            continue
        index[header] = position
    missing = [header for header in HOME_HEADERS if header not in index]
    if missing:
        problems.append(
            CellProblem(
                HOMES_SHEET,
                None,
                f"Row 1 is missing the header{'s' if len(missing) > 1 else ''} "
                f"{', '.join(missing)}; expected row 1 to hold the headers "
                f"{', '.join(HOME_HEADERS)} (in any order)",
            )
        )
    if problems:
        return None, problems
    letters = {header: get_column_letter(position + 1) for header, position in index.items()}
    return HomeColumns(index=index, letter=letters), []


class HomeRowReader:
    """Validates rows of the Homes sheet against the portal's categories."""

    def __init__(self, columns: HomeColumns, categories: Sequence[CategorySpec]) -> None:
        self._columns = columns
        self._categories: dict[str, CategorySpec] = {}
        for category in categories:  # labels first: they win over another category's value
            self._categories.setdefault(_category_key(category.label), category)
        for category in categories:
            self._categories.setdefault(_category_key(category.value), category)
        self._category_expected = "one of " + ", ".join(category.label for category in categories)

    def read(
        self, row_number: int, values: Sequence[CellValue], problems: list[CellProblem]
    ) -> HomeRow | None:
        """Return the home on this row, or None after adding its problems to ``problems``."""
        before = len(problems)
        column = self._columns.index

        def read(header: str, reader: Callable[[CellValue], _T]) -> _T | None:
            if header not in column:  # an optional column the sheet does not have
                return None
            raw = values[column[header]]
            try:
                return reader(raw)
            except FieldInvalid as invalid:
                problems.append(self._problem(header, row_number, raw, invalid.expected))
                return None

        name = read(HOME_NAME, lambda value: fields.read_text(value, "the name of the home"))
        category = read(CARE_CATEGORY, self._read_category)
        min_age = read(MINIMUM_AGE, _read_age)
        max_age = read(MAXIMUM_AGE, _read_age)
        genders = read(GENDERS_ACCEPTED, _read_genders)
        beds = read(
            BEDS,
            lambda value: fields.read_whole_number(value, 1, None, "a whole number of 1 or more"),
        )
        postcode = read(POSTCODE, fields.read_postcode)
        area = read(
            LOCAL_AUTHORITY_AREA,
            lambda value: fields.read_text(value, "the local authority area", required=False),
        )
        urn = read(OFSTED_URN, fields.read_ofsted_urn)
        contract_type = read(
            CONTRACT_TYPE,
            lambda value: fields.read_choice(value, _CONTRACT_TYPES, _CONTRACT_EXPECTED),
        )
        beds_free = read(
            BEDS_FREE,
            lambda value: (
                None
                if fields.is_blank(value)
                else fields.read_whole_number(
                    value, 0, beds, f"a whole number from 0 to the home's beds ({beds}), or blank"
                )
            ),
        )
        beds_free_from = read(BEDS_FREE_FROM, fields.read_date)

        if min_age is not None and max_age is not None:
            self._check_ages(row_number, values, min_age, max_age, category, problems)
        if (
            len(problems) > before
            # The readers of required columns return None only after reporting a problem;
            # the checks below narrow the types.
            or name is None
            or category is None
            or min_age is None
            or max_age is None
            or genders is None
            or beds is None
            or postcode is None
            or contract_type is None
        ):
            return None

        home = HomeRow(
            row=row_number,
            name=name,
            category=category.value,
            min_age=min_age,
            max_age=max_age,
            genders=genders,
            beds=beds,
            postcode=postcode,
            local_authority_area=area,
            ofsted_urn=urn,
            contract_type=contract_type,
            beds_free=beds_free,
            beds_free_from=beds_free_from if beds_free is not None else None,
        )
        if category.check_home is not None:
            messages = category.check_home(home)
            if messages:
                cell = f"{self._columns.letter[CARE_CATEGORY]}{row_number}"
                problems.extend(CellProblem(HOMES_SHEET, cell, message) for message in messages)
                return None
        return home

    def _read_category(self, value: CellValue) -> CategorySpec:
        category = self._categories.get(_category_key(fields.as_text(value)))
        if category is None:
            raise FieldInvalid(self._category_expected)
        return category

    def _check_ages(
        self,
        row_number: int,
        values: Sequence[CellValue],
        min_age: int,
        max_age: int,
        category: CategorySpec | None,
        problems: list[CellProblem],
    ) -> None:
        column = self._columns.index
        if min_age > max_age:
            problems.append(
                self._problem(
                    MAXIMUM_AGE,
                    row_number,
                    values[column[MAXIMUM_AGE]],
                    f"a whole number no lower than the minimum age ({min_age})",
                )
            )
            return
        if category is None:
            return
        if min_age < category.min_age:
            problems.append(
                self._problem(
                    MINIMUM_AGE,
                    row_number,
                    values[column[MINIMUM_AGE]],
                    f"{category.min_age} or over for {category.label} homes",
                )
            )
        if max_age > category.max_age:
            problems.append(
                self._problem(
                    MAXIMUM_AGE,
                    row_number,
                    values[column[MAXIMUM_AGE]],
                    f"{category.max_age} or under for {category.label} homes",
                )
            )

    def _problem(self, header: str, row_number: int, raw: CellValue, expected: str) -> CellProblem:
        return CellProblem(
            HOMES_SHEET,
            f"{self._columns.letter[header]}{row_number}",
            f"{header}: found {fields.describe(raw)}, expected {expected}",
        )


def _category_key(text: str) -> str:
    """Labels and values compare alike: "Supported Accommodation" = "SUPPORTED_ACCOMMODATION"."""
    return header_key(text.replace("_", " "))


def _read_age(value: CellValue) -> int:
    return fields.read_whole_number(value, YOUNGEST_AGE, OLDEST_AGE, _AGE_EXPECTED)


def _read_genders(value: CellValue) -> tuple[str, ...]:
    chosen: set[str] = set()
    for part in fields.as_text(value).replace(";", ",").split(","):
        key = header_key(part)
        if not key:
            continue
        if key == header_key(ANY_GENDER):
            chosen.update(_ALL_GENDERS)
        elif key in _GENDERS:
            chosen.add(_GENDERS[key])
        else:
            raise FieldInvalid(_GENDER_EXPECTED)
    if not chosen:
        raise FieldInvalid(_GENDER_EXPECTED)
    return tuple(gender for gender in _ALL_GENDERS if gender in chosen)

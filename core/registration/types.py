"""Values that cross the registration spreadsheet's boundary."""

from __future__ import annotations

import datetime
from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class CellProblem:
    """One fixable problem in an upload: the sheet, the cell (None when not one cell) and what."""

    sheet: str
    cell: str | None
    message: str


@dataclass(frozen=True)
class HomeRow:
    """One valid row of the ``Homes`` sheet, normalised."""

    row: int
    name: str
    category: str
    min_age: int
    max_age: int
    genders: tuple[str, ...]
    beds: int
    postcode: str
    local_authority_area: str | None
    ofsted_urn: str | None
    contract_type: str
    #: The optional vacancy columns: beds free (None: not declared) and from when.
    beds_free: int | None = None
    beds_free_from: datetime.date | None = None


@dataclass(frozen=True)
class CategorySpec:
    """What the parser needs to know about one care category.

    ``check_home`` runs on a row that is otherwise valid and returns messages for anything the
    category does not allow (an empty list when the row is fine). It must not do I/O.
    """

    value: str
    label: str
    min_age: int
    max_age: int
    check_home: Callable[[HomeRow], list[str]] | None = None


@dataclass(frozen=True)
class OrganisationDetails:
    """The ``Organisation`` sheet, validated and normalised."""

    organisation_name: str
    companies_house_number: str | None
    contact_name: str
    contact_email: str
    contact_phone: str
    managing_local_authority: str


@dataclass(frozen=True)
class ParsedRegistration:
    """A registration spreadsheet that passed every check."""

    organisation: OrganisationDetails
    homes: tuple[HomeRow, ...]

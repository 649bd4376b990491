"""Validate the ``Organisation`` sheet: labels in column A, values in column B."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence

from core.registration import fields
from core.registration.fields import CellValue, FieldInvalid
from core.registration.layout import (
    COMPANIES_HOUSE_NUMBER,
    CONTACT_EMAIL,
    CONTACT_NAME,
    CONTACT_PHONE,
    MANAGING_LOCAL_AUTHORITY,
    ORGANISATION_LABELS,
    ORGANISATION_NAME,
    ORGANISATION_SHEET,
    header_key,
)
from core.registration.types import CellProblem, OrganisationDetails

# Only the top of the sheet is searched for labels; the template uses rows 1 to 6.
MAX_ORGANISATION_ROWS = 100

_LABEL_KEYS = {header_key(label): label for label in ORGANISATION_LABELS}


def read_organisation(
    rows: Iterable[Sequence[CellValue]], local_authority_names: Sequence[str]
) -> tuple[OrganisationDetails | None, list[CellProblem]]:
    """Validate rows of (label, value); returns the details, or None with every problem."""
    found: dict[str, tuple[int, CellValue]] = {}
    problems: list[CellProblem] = []
    for row_number, row in enumerate(rows, start=1):
        if not row:
            continue
        label = _LABEL_KEYS.get(header_key(fields.as_text(row[0])))
        if label is None:
            continue
        if label in found:
            problems.append(
                CellProblem(
                    ORGANISATION_SHEET,
                    f"A{row_number}",
                    f"{label}: found this label again in row {row_number}, expected it once "
                    f"(it is already in row {found[label][0]})",
                )
            )
            continue
        found[label] = (row_number, row[1] if len(row) > 1 else None)

    missing = [label for label in ORGANISATION_LABELS if label not in found]
    if missing:
        problems.append(
            CellProblem(
                ORGANISATION_SHEET,
                None,
                "Column A is missing the label"
                f"{'s' if len(missing) > 1 else ''} {', '.join(missing)}; expected the labels "
                f"{', '.join(ORGANISATION_LABELS)}, with each value in column B",
            )
        )

    authorities = {header_key(name): name for name in local_authority_names}
    readers: dict[str, Callable[[CellValue], str | None]] = {
        ORGANISATION_NAME: lambda value: fields.read_text(value, "the organisation's name"),
        COMPANIES_HOUSE_NUMBER: fields.read_companies_house_number,
        CONTACT_NAME: lambda value: fields.read_text(value, "the main contact's name"),
        CONTACT_EMAIL: fields.read_email,
        CONTACT_PHONE: fields.read_phone,
        MANAGING_LOCAL_AUTHORITY: lambda value: fields.read_choice(
            value,
            authorities,
            "the name of a local authority on the portal (choose it from the drop-down list)",
        ),
    }
    values: dict[str, str | None] = {}
    for label, (row_number, raw) in found.items():
        try:
            values[label] = readers[label](raw)
        except FieldInvalid as invalid:
            problems.append(
                CellProblem(
                    ORGANISATION_SHEET,
                    f"B{row_number}",
                    f"{label}: found {fields.describe(raw)}, expected {invalid.expected}",
                )
            )

    if problems:
        return None, problems
    return (
        OrganisationDetails(
            organisation_name=_required(values[ORGANISATION_NAME]),
            companies_house_number=values[COMPANIES_HOUSE_NUMBER],
            contact_name=_required(values[CONTACT_NAME]),
            contact_email=_required(values[CONTACT_EMAIL]),
            contact_phone=_required(values[CONTACT_PHONE]),
            managing_local_authority=_required(values[MANAGING_LOCAL_AUTHORITY]),
        ),
        [],
    )


def _required(value: str | None) -> str:
    if value is None:  # the readers of required labels never return None
        raise AssertionError("a required organisation field was read as blank")
    return value

"""Read one spreadsheet cell's value into a domain value, or say what was expected.

Each ``read_*`` function takes the raw value openpyxl produced (None, str, int, float, bool,
datetime...) and returns the normalised value, or raises ``FieldInvalid`` carrying the words
that finish "expected ...". The caller adds the column name and the value found.
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Mapping

from core.registration.layout import MAX_TEXT_LENGTH, header_key

CellValue = object

_WHOLE_NUMBER_TEXT = re.compile(r"[+-]?\d{1,9}(?:\.0*)?")
# Royal Mail's outward/inward shape; the letters each position may hold follow the published
# rules (no Q, V, X in the first position, and so on). GIR 0AA is the one special case kept.
_POSTCODE = re.compile(
    r"GIR0AA|"
    r"[A-PR-UWYZ](?:[0-9][0-9]?|[A-HK-Y][0-9][0-9]?|[0-9][A-HJKPSTUW]|[A-HK-Y][0-9][ABEHMNPRV-Y])"
    r"[0-9][ABD-HJLNP-UW-Z]{2}"
)
_EMAIL = re.compile(
    r"[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(?:\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*"
    r"@(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+[A-Za-z]{2,63}"
)
_PHONE = re.compile(r"\+?[0-9 ()\-]+")
_OFSTED_URN = re.compile(r"SC[0-9]{6}|[0-9]{6,7}")
_COMPANIES_HOUSE_NUMBER = re.compile(r"[A-Z0-9]{8}")


class FieldInvalid(Exception):
    """A cell's value is not acceptable; ``expected`` finishes the sentence "expected ..."."""

    def __init__(self, expected: str) -> None:
        super().__init__(expected)
        self.expected = expected


def is_blank(value: CellValue) -> bool:
    """True for an empty cell or one holding only spaces."""
    return value is None or (isinstance(value, str) and not value.strip())


def describe(value: CellValue) -> str:
    """The value found, as a user would recognise it in a message."""
    if is_blank(value):
        return "a blank cell"
    shown = as_text(value)
    if len(shown) > 60:
        shown = shown[:57] + "..."
    return f'"{shown}"'


def as_text(value: CellValue) -> str:
    """A cell's value as trimmed text; whole floats lose their ".0"."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value.strip()
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime.datetime) and value.time() == datetime.time():
        return value.date().isoformat()
    if isinstance(value, datetime.date | datetime.time):
        return value.isoformat()
    return str(value)


def read_text(value: CellValue, what: str, *, required: bool = True) -> str | None:
    """Trimmed text of at most ``MAX_TEXT_LENGTH`` characters; blank gives None if optional."""
    text = as_text(value)
    if not text:
        if required:
            raise FieldInvalid(what)
        return None
    if len(text) > MAX_TEXT_LENGTH:
        raise FieldInvalid(f"{what} of at most {MAX_TEXT_LENGTH} characters")
    return text


def read_whole_number(value: CellValue, lowest: int, highest: int | None, expected: str) -> int:
    """An int from an int, a whole float (3.0) or numeric text (" 3 ", "3.0")."""
    number: int | None = None
    if isinstance(value, bool):
        number = None
    elif isinstance(value, int):
        number = value
    elif isinstance(value, float):
        number = int(value) if value.is_integer() else None
    elif isinstance(value, str):
        text = value.strip()
        if _WHOLE_NUMBER_TEXT.fullmatch(text):
            number = int(float(text)) if "." in text else int(text)
    if number is None or number < lowest or (highest is not None and number > highest):
        raise FieldInvalid(expected)
    return number


def read_choice(value: CellValue, choices: Mapping[str, str], expected: str) -> str:
    """The stored value for a choice matched by ``header_key`` (spaces and case ignored)."""
    try:
        return choices[header_key(as_text(value))]
    except KeyError:
        raise FieldInvalid(expected) from None


def read_postcode(value: CellValue) -> str:
    """A UK postcode, upper-case with one space before the last three characters."""
    compact = "".join(as_text(value).split()).upper()
    if not _POSTCODE.fullmatch(compact):
        raise FieldInvalid("a UK postcode such as SW1A 1AA")
    return f"{compact[:-3]} {compact[-3:]}"


def read_email(value: CellValue) -> str:
    """An email address of a usual shape (local@domain.tld), at most 254 characters."""
    text = as_text(value)
    if text.lower().startswith("mailto:"):
        text = text[len("mailto:") :]
    local = text.rpartition("@")[0]
    if len(text) > 254 or len(local) > 64 or not _EMAIL.fullmatch(text):
        raise FieldInvalid("an email address such as name@example.org")
    return text


def read_phone(value: CellValue) -> str:
    """A telephone number: digits with optional spaces, brackets, dashes and a leading +."""
    text = as_text(value)
    digits = sum(character.isdigit() for character in text)
    if not _PHONE.fullmatch(text) or not 7 <= digits <= 15:
        raise FieldInvalid("a telephone number such as 020 7946 0000")
    return text


def read_ofsted_urn(value: CellValue) -> str | None:
    """Blank, or SC followed by six digits, or a six or seven digit number."""
    if is_blank(value):
        return None
    text = "".join(as_text(value).split()).upper()
    if not _OFSTED_URN.fullmatch(text):
        raise FieldInvalid(
            "SC followed by 6 digits (such as SC123456) or a 6 or 7 digit number, or a blank cell"
        )
    return text


def read_companies_house_number(value: CellValue) -> str | None:
    """Blank, or eight letters and digits. A number typed into Excel gets its leading zeros back."""
    if is_blank(value):
        return None
    if isinstance(value, int | float) and not isinstance(value, bool):
        if isinstance(value, float) and not value.is_integer():
            raise FieldInvalid("8 letters or digits, such as 01234567 or SC123456")
        number = int(value)
        text = f"{number:08d}" if 0 < number < 10**8 else str(number)
    else:
        text = "".join(as_text(value).split()).upper()
    if not _COMPANIES_HOUSE_NUMBER.fullmatch(text):
        raise FieldInvalid("8 letters or digits, such as 01234567 or SC123456")
    return text


def read_date(value: CellValue) -> datetime.date | None:
    """A date cell, or text like 2026-04-01 or 01/04/2026; blank gives None."""
    if is_blank(value):
        return None
    if isinstance(value, datetime.datetime):
        return value.date()
    if isinstance(value, datetime.date):
        return value
    text = as_text(value)
    for form in ("%Y-%m-%d", "%d/%m/%Y"):
        try:
            return datetime.datetime.strptime(text, form).date()
        except ValueError:
            continue
    raise FieldInvalid("a date such as 2026-04-01, or blank for now")

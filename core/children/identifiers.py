"""Identifiers kept out of what providers read: NHS numbers, unique pupil numbers, dates of
birth and full postcodes are refused in referral summaries and details, children's needs,
messages and offer details. Documents are where names and identifiers belong.

The checks find only what is what it claims to be: a 10-digit number is an NHS number only
when its mod-11 check digit is right, a 13-character UPN only when its check letter is; any
other number passes as an ordinary number. A date is refused when it is written as a date of
birth (next to "born", "DOB", "date of birth", "birthday"): ages are what a referral needs.
A full postcode (``B15 2TT``) is refused; a postcode district (``B15``) is fine.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from typing import Any

from core.errors import Problem

_NHS = re.compile(r"(?<![\d\w])(\d{3})[ -]?(\d{3})[ -]?(\d{4})(?![\d\w])")
_UPN_LETTERS = "ABCDEFGHJKLMNPQRTUVWXYZ"  # the DfE's check letters: no I, O or S
_UPN = re.compile(r"(?<![A-Za-z0-9])([A-Za-z])(\d{11})([0-9A-Za-z])(?![A-Za-z0-9])")
_POSTCODE = re.compile(
    r"(?<![A-Za-z0-9])(GIR ?0AA|[A-PR-UWYZ][A-HK-Y]?\d[A-Z\d]? ?\d[ABD-HJLNP-UW-Z]{2})"
    r"(?![A-Za-z0-9])",
    re.IGNORECASE,
)
_MONTHS = (
    r"jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|"
    r"sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?"
)
_DATE = (
    r"(?:\d{1,2}[/.\-]\d{1,2}[/.\-]\d{2,4}"
    r"|\d{4}-\d{1,2}-\d{1,2}"
    rf"|\d{{1,2}}(?:st|nd|rd|th)?\s+(?:of\s+)?(?:{_MONTHS})\.?,?\s+\d{{2,4}}"
    rf"|(?:{_MONTHS})\.?\s+\d{{1,2}}(?:st|nd|rd|th)?,?\s+\d{{2,4}})"
)
_BIRTH_DATE = re.compile(
    r"(?:\bborn\b|\bd\.?\s?o\.?\s?b\b\.?|\bdate\s+of\s+birth\b|\bbirth\s*day\b|\bbirth\s+date\b)"
    rf"[^.;\n]{{0,24}}?(?<![\d\w]){_DATE}",
    re.IGNORECASE,
)


def is_nhs_number(digits: str) -> bool:
    """True for 10 digits whose last is the mod-11 check digit of the first nine."""
    if len(digits) != 10 or not digits.isdigit():
        return False
    total = sum(int(d) * w for d, w in zip(digits[:9], range(10, 1, -1), strict=True))
    check = 11 - total % 11
    if check == 11:
        check = 0
    return check != 10 and check == int(digits[9])


def is_upn(value: str) -> bool:
    """True for a unique pupil number: a check letter, 11 digits, then a digit (a permanent
    UPN) or a letter (a temporary one), the check letter right."""
    value = value.upper()
    if len(value) != 13 or value[0] not in _UPN_LETTERS or not value[1:12].isdigit():
        return False
    last = value[12]
    if last.isdigit():
        last_value = int(last)
    elif last in _UPN_LETTERS:
        last_value = _UPN_LETTERS.index(last)
    else:
        return False
    total = sum(int(d) * w for d, w in zip(value[1:12], range(2, 13), strict=True))
    total += last_value * 13
    return _UPN_LETTERS[total % 23] == value[0]


def identifier_problems(text: str) -> list[str]:
    """What in ``text`` must not be there, as sentences for the person who wrote it."""
    found = []
    if any(is_nhs_number("".join(m.groups())) for m in _NHS.finditer(text)):
        found.append(
            "It contains an NHS number: leave it out (put identifiers in a document, which only "
            "the recipients see)."
        )
    if any(is_upn("".join(m.groups())) for m in _UPN.finditer(text)):
        found.append("It contains a unique pupil number (UPN): leave it out.")
    if _BIRTH_DATE.search(text):
        found.append("It contains a date of birth: give the child's age instead.")
    match = _POSTCODE.search(text)
    if match:
        district = match.group(1).split()[0] if " " in match.group(1) else match.group(1)[:-3]
        found.append(
            f'It contains a full postcode ("{match.group(1)}"): give the postcode district '
            f"only (e.g. {district.upper()})."
        )
    return found


def _texts(value: Any, path: tuple[str, ...]) -> Iterator[tuple[tuple[str, ...], str]]:
    if isinstance(value, str):
        yield path, value
    elif isinstance(value, Mapping):
        for key, item in value.items():
            yield from _texts(item, (*path, str(key)))
    elif isinstance(value, (list, tuple)):
        for index, item in enumerate(value):
            yield from _texts(item, (*path, str(index)))


def check_identifiers(value: Any, field: tuple[str, ...]) -> list[Problem]:
    """One problem per text in ``value`` (a string, or any JSON) that holds an identifier,
    on the path of that text (``field`` and the keys inside)."""
    problems = []
    for path, text in _texts(value, field):
        for message in identifier_problems(text):
            problems.append(Problem(message, "INVALID", path))
    return problems

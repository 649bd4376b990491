"""The ``vacancyRule`` setting the core gives every care category (see core/vacancies.py)."""

from __future__ import annotations

from enum import StrEnum
from typing import Any


class VacancyRule(StrEnum):
    """How matching uses vacancies."""

    IGNORE = "IGNORE"
    #: Homes with a declared, current vacancy; others only when none has one.
    PREFER = "PREFER"
    REQUIRE = "REQUIRE"


VACANCY_RULE_SETTING = "vacancyRule"
VACANCY_RULE_SCHEMA: dict[str, Any] = {
    "type": "string",
    "enum": [rule.value for rule in VacancyRule],
    "description": "IGNORE vacancies; PREFER homes with a declared, current vacancy (others "
    "only when none has one); or REQUIRE one.",
}

"""What an offer says (home, money, start date, details), checked on the way in."""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from core.children.identifiers import check_identifiers
from core.errors import Problem, invalid
from core.offers.kinds import CostFrequency
from core.offers.money import pence_of
from core.plugins.registry import CategoryRegistry

MAX_COSTS = 30
MAX_DESCRIPTION = 500


@dataclass(frozen=True)
class CostInput:
    description: str
    amount: Decimal
    frequency: str


@dataclass(frozen=True)
class Terms:
    """An offer's content: what a change compares and a revision copies."""

    home_id: uuid.UUID
    core_fee_pence: int
    additional_costs: tuple[dict[str, Any], ...]
    start_date: date | None
    details: Mapping[str, Any]
    #: The optional documents, in order (the compulsory ones come from the profile).
    document_ids: tuple[uuid.UUID, ...]


def check_core_fee(amount: Decimal, problems: list[Problem]) -> int:
    return pence_of(amount, ("input", "coreFee"), problems)


def check_costs(costs: Sequence[CostInput], problems: list[Problem]) -> tuple[dict[str, Any], ...]:
    if len(costs) > MAX_COSTS:
        problems.append(
            Problem(
                f"At most {MAX_COSTS} additional costs; group smaller ones.",
                "INVALID",
                ("input", "additionalCosts"),
            )
        )
    cleaned = []
    for index, cost in enumerate(costs):
        where = ("input", "additionalCosts", str(index))
        description = cost.description.strip()
        if not description:
            problems.append(
                Problem("Describe what the cost is for.", "INVALID", (*where, "description"))
            )
        elif len(description) > MAX_DESCRIPTION:
            problems.append(
                Problem(
                    f"description: at most {MAX_DESCRIPTION} characters.",
                    "INVALID",
                    (*where, "description"),
                )
            )
        pence = pence_of(cost.amount, (*where, "amount"), problems)
        cleaned.append(
            {
                "description": description,
                "amountPence": pence,
                "frequency": CostFrequency(cost.frequency).value,
            }
        )
    return tuple(cleaned)


def check_details(
    registry: CategoryRegistry, category: str, details: Any, problems: list[Problem]
) -> dict[str, Any]:
    """The details as a dict; JSON Schema problems point inside ``input.details``."""
    if details is None:
        details = {}
    if not isinstance(details, Mapping):
        problems.append(Problem("details must be a JSON object.", "INVALID", ("input", "details")))
        return {}
    cleaned = dict(details)
    problems.extend(registry.offer_details_problems(category, cleaned))
    problems.extend(check_identifiers(cleaned, ("input", "details")))
    return cleaned


def raise_problems(problems: list[Problem]) -> None:
    if problems:
        raise invalid(problems)

"""Money: GBP amounts as the API writes them (decimals), kept in pence (exact integers)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from decimal import Decimal, InvalidOperation
from typing import Any

from core.errors import Problem

#: Far above any weekly fee or cost, and well within a 32-bit integer of pence.
MAX_PENCE = 100_000_000  # £1,000,000.00
_PENNY = Decimal("0.01")


def pence_of(amount: Decimal, field: tuple[str, ...], problems: list[Problem]) -> int:
    """``amount`` in pence; appends a problem (and returns 0) when it is not a sum of money."""
    what = field[-1]
    try:
        if not amount.is_finite():
            raise InvalidOperation
        quantised = amount.quantize(_PENNY)
    except InvalidOperation:
        problems.append(
            Problem(f"{what}: expected an amount in pounds, e.g. 1250.00.", "INVALID", field)
        )
        return 0
    if quantised != amount:
        problems.append(
            Problem(
                f"{what}: found {amount}, expected pounds and pence (at most 2 decimal places).",
                "INVALID",
                field,
            )
        )
        return 0
    if amount < 0:
        problems.append(Problem(f"{what}: found {amount}, expected 0 or more.", "INVALID", field))
        return 0
    pence = int(quantised * 100)
    if pence > MAX_PENCE:
        problems.append(
            Problem(f"{what}: found {amount}, expected at most 1000000.00.", "INVALID", field)
        )
        return 0
    return pence


def amount_of(pence: int) -> Decimal:
    """Pence as pounds with two decimal places (``Decimal("1250.00")``)."""
    return (Decimal(pence) / 100).quantize(_PENNY)


def weekly_total_pence(core_fee_pence: int, additional_costs: Iterable[Mapping[str, Any]]) -> int:
    """What a placement costs each week: the core fee plus the WEEKLY additional costs
    (ONE_OFF costs are paid once and left out)."""
    return core_fee_pence + sum(
        int(c.get("amountPence", 0))
        for c in additional_costs
        if c.get("frequency", "WEEKLY") == "WEEKLY"
    )

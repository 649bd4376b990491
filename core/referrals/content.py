"""The content of a referral: checked on the way in, compared for changes, snapshotted."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from core.children.identifiers import check_identifiers
from core.errors import Problem, invalid
from core.genders import Gender
from core.plugins.registry import CategoryRegistry
from core.referrals.kinds import Urgency
from core.registration.fields import FieldInvalid, read_postcode

MAX_CHILDREN = 8
MAX_SUMMARY = 10_000
MAX_NEEDS = 4_000


@dataclass(frozen=True)
class ChildInput:
    age: int
    gender: str
    needs: str | None = None


@dataclass(frozen=True)
class ReferralContent:
    """Everything about a referral that providers receive and whose change raises its version."""

    children: tuple[dict[str, Any], ...]
    summary: str
    urgency: str
    postcode: str | None
    required_from: date | None
    details: Mapping[str, Any]
    document_ids: tuple[str, ...] = ()

    def snapshot(self) -> dict[str, Any]:
        return {
            "children": [dict(c) for c in self.children],
            "summary": self.summary,
            "urgency": self.urgency,
            "postcode": self.postcode,
            "requiredFrom": self.required_from.isoformat() if self.required_from else None,
            "details": dict(self.details),
            "documentIds": list(self.document_ids),
        }


def check_content(
    registry: CategoryRegistry,
    category: str,
    *,
    children: Sequence[ChildInput],
    summary: str,
    urgency: str | None,
    postcode: str | None,
    required_from: date | None,
    details: Mapping[str, Any] | None,
) -> ReferralContent:
    """The cleaned content, or INVALID with every problem at once (paths into the input)."""
    declaration = registry.get(category).declaration
    problems: list[Problem] = []
    if not children:
        problems.append(
            Problem(
                "Add the child (or each child of a sibling group).",
                "INVALID",
                ("input", "children"),
            )
        )
    if len(children) > MAX_CHILDREN:
        problems.append(
            Problem(
                f"A referral is for at most {MAX_CHILDREN} children; make "
                "separate referrals for larger groups.",
                "INVALID",
                ("input", "children"),
            )
        )
    cleaned_children = []
    for index, child in enumerate(children):
        where = ("input", "children", str(index))
        if not 0 <= child.age <= 17:
            problems.append(
                Problem(
                    f"Age: found {child.age}, expected 0 to 17: the portal places "
                    "children under 18.",
                    "INVALID",
                    (*where, "age"),
                )
            )
        elif not declaration.min_age <= child.age <= declaration.max_age:
            problems.append(
                Problem(
                    f"Age: found {child.age}, expected {declaration.min_age} to "
                    f"{declaration.max_age} for {declaration.label}.",
                    "INVALID",
                    (*where, "age"),
                )
            )
        needs = (child.needs or "").strip() or None
        if needs and len(needs) > MAX_NEEDS:
            problems.append(
                Problem(f"Needs: at most {MAX_NEEDS} characters.", "INVALID", (*where, "needs"))
            )
        if needs:
            problems.extend(check_identifiers(needs, (*where, "needs")))
        cleaned_children.append(
            {"age": child.age, "gender": Gender(child.gender).value, "needs": needs}
        )
    cleaned_summary = summary.strip()
    if not cleaned_summary:
        problems.append(
            Problem(
                "Write a summary of the child's needs and the placement sought (no names).",
                "INVALID",
                ("input", "summary"),
            )
        )
    elif len(cleaned_summary) > MAX_SUMMARY:
        problems.append(
            Problem(f"Summary: at most {MAX_SUMMARY} characters.", "INVALID", ("input", "summary"))
        )
    else:
        problems.extend(check_identifiers(cleaned_summary, ("input", "summary")))
    cleaned_postcode = None
    if postcode and postcode.strip():
        try:
            cleaned_postcode = read_postcode(postcode)
        except FieldInvalid as error:
            problems.append(
                Problem(
                    f'Postcode: found "{postcode}", expected {error.expected}.',
                    "INVALID",
                    ("input", "postcode"),
                )
            )
    cleaned_details: dict[str, Any] = {}
    if not isinstance(details, Mapping) and details is not None:
        problems.append(Problem("Details must be a JSON object.", "INVALID", ("input", "details")))
    else:
        cleaned_details = dict(details or {})
        problems.extend(registry.referral_details_problems(category, cleaned_details))
        problems.extend(check_identifiers(cleaned_details, ("input", "details")))
    if problems:
        raise invalid(problems)
    return ReferralContent(
        children=tuple(cleaned_children),
        summary=cleaned_summary,
        urgency=Urgency(urgency or Urgency.OVER_5_DAYS).value,
        postcode=cleaned_postcode,
        required_from=required_from,
        details=cleaned_details,
    )

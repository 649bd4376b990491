"""FAMILY_ASSESSMENT: residential family assessment under the West Midlands residential framework.

Referral details must name the parent(s) who come with the child (roles and ages, no names).
Rule of its own: a home must have a bed for each child and each parent
(``countParentsAsOccupants``, on by default).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from core.plugins import CandidateHome, CategoryDeclaration, MatchRequest, hookimpl

_TEXT = {"type": "string", "maxLength": 4000}

REFERRAL_DETAILS_SCHEMA: dict[str, Any] = {
    "type": "object",
    "additionalProperties": False,
    "required": ["parents"],
    "properties": {
        "parents": {
            "type": "array",
            "minItems": 1,
            "maxItems": 4,
            "items": {
                "type": "object",
                "additionalProperties": False,
                "required": ["role"],
                "properties": {
                    "role": {"enum": ["MOTHER", "FATHER", "OTHER_CARER"]},
                    "age": {"type": "integer", "minimum": 12, "maximum": 99},
                    "needs": _TEXT,
                },
            },
        },
        "courtOrdered": {"type": "boolean"},
        "assessmentWeeks": {"type": "integer", "minimum": 1, "maximum": 52},
        "assessmentFocus": _TEXT,
    },
}

OFFER_DETAILS_SCHEMA: dict[str, Any] = {
    "type": "object",
    "additionalProperties": False,
    "properties": {
        "assessmentWeeks": {"type": "integer", "minimum": 1, "maximum": 52},
        "assessmentModel": _TEXT,
        "staffing": _TEXT,
        "additionalInformation": _TEXT,
    },
}

SETTINGS_SCHEMA: dict[str, Any] = {
    "type": "object",
    "additionalProperties": False,
    "properties": {
        "countParentsAsOccupants": {
            "type": "boolean",
            "description": "A home needs a bed for each parent as well as each child.",
        },
    },
}


@hookimpl
def portal_category() -> CategoryDeclaration:
    return CategoryDeclaration(
        value="FAMILY_ASSESSMENT",
        label="Residential Family Assessment",
        min_age=0,
        max_age=17,
        referral_details_schema=REFERRAL_DETAILS_SCHEMA,
        offer_details_schema=OFFER_DETAILS_SCHEMA,
        required_offer_documents=("INSURANCE", "OFSTED_CERTIFICATE"),
        settings_schema=SETTINGS_SCHEMA,
        settings_defaults={"countParentsAsOccupants": True},
        description="Residential parent-and-child assessment placements.",
        position=40,
        placements_standard_type="Residential",
    )


@hookimpl
def portal_refine_matches(
    request: MatchRequest, candidates: Sequence[CandidateHome], settings: Mapping[str, Any]
) -> Sequence[CandidateHome]:
    if not settings.get("countParentsAsOccupants", True):
        return candidates
    occupants = len(request.children) + len(request.details.get("parents") or ())
    return [c for c in candidates if c.beds >= occupants]

"""RESIDENTIAL: children's homes, ages 0-17.

Rule of its own: with ``frameworkFirst`` set by the category lead, a referral that matches any
FRAMEWORK home goes to framework homes only; spot homes receive it only when no framework home
matches.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from core.plugins import CandidateHome, CategoryDeclaration, MatchRequest, hookimpl

_TEXT = {"type": "string", "maxLength": 4000}

REFERRAL_DETAILS_SCHEMA: dict[str, Any] = {
    "type": "object",
    "additionalProperties": False,
    "properties": {
        "legalStatus": _TEXT,
        "education": _TEXT,
        "health": _TEXT,
        "risks": {"type": "array", "items": {"type": "string", "maxLength": 500}},
        "solePlacementRequired": {"type": "boolean"},
    },
}

OFFER_DETAILS_SCHEMA: dict[str, Any] = {
    "type": "object",
    "additionalProperties": False,
    "properties": {
        "staffingRatio": {"type": "string", "maxLength": 50},
        "education": _TEXT,
        "therapeuticSupport": _TEXT,
        "nonFrameworkHome": {"type": "boolean"},
        "additionalInformation": _TEXT,
    },
}

SETTINGS_SCHEMA: dict[str, Any] = {
    "type": "object",
    "additionalProperties": False,
    "properties": {
        "frameworkFirst": {
            "type": "boolean",
            "description": "Send to FRAMEWORK homes only, when any framework home matches.",
        },
    },
}


@hookimpl
def portal_category() -> CategoryDeclaration:
    return CategoryDeclaration(
        value="RESIDENTIAL",
        label="Residential",
        min_age=0,
        max_age=17,
        referral_details_schema=REFERRAL_DETAILS_SCHEMA,
        offer_details_schema=OFFER_DETAILS_SCHEMA,
        required_offer_documents=("INSURANCE", "OFSTED_CERTIFICATE", "STATEMENT_OF_PURPOSE"),
        settings_schema=SETTINGS_SCHEMA,
        settings_defaults={"frameworkFirst": False},
        description="Children's homes registered with Ofsted.",
        position=20,
        placements_standard_type="Residential",
        placements_standard_details={
            "livingCompanions": ("solePlacementRequired", {True: "Solo placement recommended"})
        },
    )


@hookimpl
def portal_refine_matches(
    request: MatchRequest, candidates: Sequence[CandidateHome], settings: Mapping[str, Any]
) -> Sequence[CandidateHome]:
    if not settings.get("frameworkFirst"):
        return candidates
    framework = [c for c in candidates if c.contract_type == "FRAMEWORK"]
    return framework or candidates

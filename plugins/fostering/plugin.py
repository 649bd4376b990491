"""FOSTERING: ages 0-17; one fostering family per offer (``details.family``), saved for auto-fill.

Rule of its own: with ``localAreaOnly`` set by the category lead, referrals go only to
households in the referring local authority's own area.
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
        "placementType": {
            "enum": ["EMERGENCY", "SHORT_TERM", "LONG_TERM", "RESPITE", "PARENT_AND_CHILD"]
        },
        "legalStatus": _TEXT,
        "keepSiblingsTogether": {"type": "boolean"},
        "education": _TEXT,
        "health": _TEXT,
        "contactArrangements": _TEXT,
    },
}

OFFER_DETAILS_SCHEMA: dict[str, Any] = {
    "type": "object",
    "additionalProperties": False,
    "required": ["family"],
    "properties": {
        "family": {
            "type": "object",
            "additionalProperties": False,
            "required": ["label", "carers"],
            "properties": {
                "label": {"type": "string", "minLength": 1, "maxLength": 200},
                "carers": {
                    "type": "array",
                    "minItems": 1,
                    "maxItems": 4,
                    "items": {
                        "type": "object",
                        "additionalProperties": False,
                        "required": ["name"],
                        "properties": {
                            "name": {"type": "string", "minLength": 1, "maxLength": 200},
                            "approvedOn": {"type": "string", "format": "date"},
                        },
                    },
                },
                "bedrooms": {"type": "integer", "minimum": 1},
                "otherChildrenInHousehold": {"type": "integer", "minimum": 0},
                "pets": _TEXT,
                "languages": {"type": "array", "items": {"type": "string", "maxLength": 100}},
                "notes": _TEXT,
            },
        },
        "additionalInformation": _TEXT,
    },
}

SETTINGS_SCHEMA: dict[str, Any] = {
    "type": "object",
    "additionalProperties": False,
    "properties": {
        "localAreaOnly": {
            "type": "boolean",
            "description": "Send referrals only to households in the referring LA's own area.",
        },
    },
}


@hookimpl
def portal_category() -> CategoryDeclaration:
    return CategoryDeclaration(
        value="FOSTERING",
        label="Fostering",
        min_age=0,
        max_age=17,
        referral_details_schema=REFERRAL_DETAILS_SCHEMA,
        offer_details_schema=OFFER_DETAILS_SCHEMA,
        required_offer_documents=("INSURANCE", "OFSTED_CERTIFICATE"),
        settings_schema=SETTINGS_SCHEMA,
        settings_defaults={"localAreaOnly": False},
        description="Foster households, through independent fostering agencies.",
        position=10,
        placements_standard_type="Foster",
        offer_family_key="family",
    )


@hookimpl
def portal_refine_matches(
    request: MatchRequest, candidates: Sequence[CandidateHome], settings: Mapping[str, Any]
) -> Sequence[CandidateHome]:
    if not settings.get("localAreaOnly"):
        return candidates
    area = (request.local_authority_name or "").strip().casefold()
    return [c for c in candidates if (c.local_authority_area or "").strip().casefold() == area]

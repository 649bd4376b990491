"""SUPPORTED_ACCOMMODATION: young people aged 16-17.

Rules of its own: homes must take 16-17 year olds only (checked on the registration
spreadsheet); the category lead chooses which contract types referrals are sent to
(``contractTypes``). Offers may refer to the provider's APPENDIX documents instead of
repeating their content (``details.appendixDocumentIds``).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from core.plugins import (
    CandidateHome,
    CategoryDeclaration,
    DetailsProblem,
    HomeFacts,
    MatchRequest,
    hookimpl,
)

_TEXT = {"type": "string", "maxLength": 4000}
MIN_AGE = 16

REFERRAL_DETAILS_SCHEMA: dict[str, Any] = {
    "type": "object",
    "additionalProperties": False,
    "properties": {
        "supportHoursPerWeek": {"type": "number", "minimum": 0, "maximum": 168},
        "legalStatus": _TEXT,
        "independenceSkills": _TEXT,
        "education": _TEXT,
        "risks": {"type": "array", "items": {"type": "string", "maxLength": 500}},
    },
}

OFFER_DETAILS_SCHEMA: dict[str, Any] = {
    "type": "object",
    "additionalProperties": False,
    "properties": {
        "accommodationType": {"enum": ["SOLE_OCCUPANCY", "SHARED", "SUPPORTED_LODGINGS"]},
        "supportHoursPerWeek": {"type": "number", "minimum": 0, "maximum": 168},
        "appendixDocumentIds": {
            "type": "array",
            "items": {"type": "string", "minLength": 1},
            "description": "The provider's APPENDIX documents that answer in place of the fields.",
        },
        "supportPlan": _TEXT,
        "additionalInformation": _TEXT,
    },
}

SETTINGS_SCHEMA: dict[str, Any] = {
    "type": "object",
    "additionalProperties": False,
    "properties": {
        "contractTypes": {
            "type": "array",
            "items": {"enum": ["FRAMEWORK", "SPOT"]},
            "minItems": 1,
            "uniqueItems": True,
            "description": "The contract types of the homes that referrals are sent to.",
        },
    },
}


@hookimpl
def portal_category() -> CategoryDeclaration:
    return CategoryDeclaration(
        value="SUPPORTED_ACCOMMODATION",
        label="Supported Accommodation",
        min_age=MIN_AGE,
        max_age=17,
        referral_details_schema=REFERRAL_DETAILS_SCHEMA,
        offer_details_schema=OFFER_DETAILS_SCHEMA,
        required_offer_documents=("INSURANCE", "OFSTED_CERTIFICATE"),
        settings_schema=SETTINGS_SCHEMA,
        settings_defaults={"contractTypes": ["FRAMEWORK", "SPOT"]},
        description="Ofsted-registered supported accommodation for 16 and 17 year olds.",
        position=30,
        placements_standard_type="Supported Accommodation",
    )


@hookimpl
def portal_refine_matches(
    request: MatchRequest, candidates: Sequence[CandidateHome], settings: Mapping[str, Any]
) -> Sequence[CandidateHome]:
    allowed = set(settings.get("contractTypes") or ("FRAMEWORK", "SPOT"))
    return [c for c in candidates if c.contract_type in allowed and c.min_age >= MIN_AGE]


@hookimpl
def portal_check_home(home: HomeFacts, settings: Mapping[str, Any]) -> Sequence[str]:
    if home.min_age < MIN_AGE:
        return [
            f'Minimum age: found "{home.min_age}", expected 16 or 17 for Supported Accommodation'
        ]
    return []


@hookimpl
def portal_check_offer_details(
    details: Mapping[str, Any], provider_documents: Mapping[str, str]
) -> Sequence[DetailsProblem]:
    """An appendix referred to must be one of the offering provider's own APPENDIX documents."""
    problems = []
    for index, reference in enumerate(details.get("appendixDocumentIds") or ()):
        kind = provider_documents.get(reference)
        if kind is None:
            problems.append(
                DetailsProblem(
                    f"No appendix with id {reference!r} was found among your organisation's "
                    "documents: upload it to your profile as an APPENDIX first.",
                    ("appendixDocumentIds", str(index)),
                )
            )
        elif kind != "APPENDIX":
            problems.append(
                DetailsProblem(
                    f"Document {reference!r} is {kind}, not an APPENDIX: refer only to your "
                    "appendix documents here.",
                    ("appendixDocumentIds", str(index)),
                )
            )
    return problems

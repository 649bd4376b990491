"""An IPA's terms: drawn from the accepted offer and the referral, plus the LA's own fields,
and the content hash that fixes them once the IPA is enabled for signing."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping, Sequence
from datetime import date
from enum import StrEnum
from typing import Any

import rfc8785

from core.errors import Problem, invalid
from core.models import Home, Offer, Organisation, Referral
from core.plugins.registry import CategoryRegistry

#: Terms taken from the offer and the referral: never editable in the IPA.
OFFER_DERIVED = frozenset(
    {
        "referralReference",
        "localAuthority",
        "category",
        "categoryLabel",
        "urgency",
        "children",
        "provider",
        "home",
        "currency",
        "coreFee",
        "additionalCosts",
        "totalWeeklyFee",
        "oneOffCostsTotal",
        "startDate",
        "offerDetails",
        "offerVersion",
    }
)

CONTACT_KEYS = ("name", "email", "phone")


def money(pence: int) -> str:
    """Pence as pounds with two decimals, as a string (exact in JSON): 125000 -> "1250.00"."""
    sign = "-" if pence < 0 else ""
    pence = abs(int(pence))
    return f"{sign}{pence // 100}.{pence % 100:02d}"


def offer_terms(
    registry: CategoryRegistry,
    *,
    offer: Offer,
    referral: Referral,
    home: Home,
    provider: Organisation,
    local_authority: Organisation,
) -> dict[str, Any]:
    """The terms of a new IPA: everything the offer and the referral say."""
    costs = [
        {
            "description": str(c.get("description", "")),
            "amount": money(int(c.get("amountPence", 0))),
            "frequency": str(c.get("frequency", "WEEKLY")),
        }
        for c in offer.additional_costs or []
    ]
    weekly = offer.core_fee_pence + sum(
        int(c.get("amountPence", 0))
        for c in offer.additional_costs or []
        if c.get("frequency", "WEEKLY") == "WEEKLY"
    )
    one_off = sum(
        int(c.get("amountPence", 0))
        for c in offer.additional_costs or []
        if c.get("frequency") == "ONE_OFF"
    )
    category = registry.get(referral.category).label if referral.category in registry else None
    return {
        "referralReference": referral.reference,
        "localAuthority": {"name": local_authority.name, "code": local_authority.code},
        "category": referral.category,
        "categoryLabel": category or referral.category,
        "urgency": referral.urgency,
        "children": [{"age": c["age"], "gender": c["gender"]} for c in referral.children],
        "provider": {"name": provider.name},
        "home": {
            "name": home.name,
            "ofstedUrn": home.ofsted_urn,
            "postcode": home.postcode,
            "localAuthorityArea": home.local_authority_area,
            "contractType": home.contract_type,
        },
        "currency": "GBP",
        "coreFee": money(offer.core_fee_pence),
        "additionalCosts": costs,
        "totalWeeklyFee": money(weekly),
        "oneOffCostsTotal": money(one_off),
        "startDate": offer.start_date.isoformat() if offer.start_date else None,
        "offerDetails": dict(offer.details or {}),
        "offerVersion": offer.version,
    }


# ---------------------------------------------------------------- the LA's own fields


def _text(limit: int):
    def check(value: Any, path: tuple[str, ...], problems: list[Problem]) -> Any:
        if not isinstance(value, str):
            problems.append(Problem(f"{path[-1]} must be text.", "INVALID", path))
            return None
        cleaned = value.strip()
        if len(cleaned) > limit:
            problems.append(
                Problem(f"{path[-1]} is too long (at most {limit} characters).", "INVALID", path)
            )
        return cleaned

    return check


def _date(value: Any, path: tuple[str, ...], problems: list[Problem]) -> Any:
    if isinstance(value, str):
        try:
            return date.fromisoformat(value.strip()).isoformat()
        except ValueError:
            pass
    problems.append(Problem(f"{path[-1]} must be a date written YYYY-MM-DD.", "INVALID", path))
    return None


def _contact(value: Any, path: tuple[str, ...], problems: list[Problem]) -> Any:
    if not isinstance(value, Mapping):
        problems.append(
            Problem(
                f"{path[-1]} must be an object with {', '.join(CONTACT_KEYS)}.", "INVALID", path
            )
        )
        return None
    contact: dict[str, str] = {}
    for key, item in value.items():
        if key not in CONTACT_KEYS:
            problems.append(
                Problem(
                    f"{path[-1]} has no field {key!r}; use {', '.join(CONTACT_KEYS)}.",
                    "INVALID",
                    (*path, str(key)),
                )
            )
            continue
        if item is None:
            continue
        checked = _text(200)(item, (*path, key), problems)
        if checked:
            contact[key] = checked
    return contact


#: What the LA may add to a draft's terms, and how each is checked.
LA_FIELDS = {
    "placementStartDate": _date,
    "placementEndDate": _date,
    "reviewDate": _date,
    "socialWorker": _contact,
    "teamManager": _contact,
    "financeContact": _contact,
    "purchaseOrderNumber": _text(100),
    "invoiceAddress": _text(1000),
    "additionalTerms": _text(20000),
}


def merge_la_fields(terms: Mapping[str, Any], fields: Any) -> dict[str, Any]:
    """``terms`` with the LA's ``fields`` merged in (a null removes a field). Every problem is
    reported at once; an offer-derived term is refused by name."""
    base = ("input", "fields")
    if not isinstance(fields, Mapping):
        raise invalid([Problem("fields must be an object of named fields.", "INVALID", base)])
    problems: list[Problem] = []
    merged = dict(terms)
    for name, value in fields.items():
        path = (*base, str(name))
        if name in OFFER_DERIVED:
            problems.append(
                Problem(
                    f"{name} comes from the accepted offer and cannot be edited in the IPA: "
                    "a wrong fee, home or start date means a revised offer and a new IPA.",
                    "INVALID",
                    path,
                )
            )
            continue
        check = LA_FIELDS.get(name)
        if check is None:
            problems.append(
                Problem(
                    f"{name} is not a field of the IPA; the local authority may set: "
                    f"{', '.join(LA_FIELDS)}.",
                    "INVALID",
                    path,
                )
            )
            continue
        if value is None:
            merged.pop(name, None)
            continue
        checked = check(value, path, problems)
        if checked in (None, "", {}):
            merged.pop(name, None)
        else:
            merged[name] = checked
    if problems:
        raise invalid(problems)
    return merged


# ---------------------------------------------------------------- the content hash


class HashRule(StrEnum):
    """How an IPA's contentHash was made (``ipas.content_hash_rule``, migration 0010)."""

    #: SHA-256 of the RFC 8785 (JSON Canonicalization Scheme) serialisation: every IPA
    #: frozen since, and every earlier one for which both rules give the same bytes.
    RFC8785 = "RFC8785"
    #: The earlier rule (json.dumps, sorted keys, no whitespace, UTF-8), kept for the IPAs
    #: frozen before whose content it serialised differently (e.g. the number 40.0).
    LEGACY_JSON = "LEGACY_JSON"


def canonical_json(value: Any) -> bytes:
    """RFC 8785 (JCS): the same bytes for the same content, in any language that has it."""
    return rfc8785.dumps(value)


def legacy_canonical_json(value: Any) -> bytes:
    """The serialisation contentHash used before migration 0010."""
    return json.dumps(
        value, sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False
    ).encode("utf-8")


def content_hash(
    terms: Mapping[str, Any],
    document_hashes: Sequence[str],
    rule: HashRule | str = HashRule.RFC8785,
) -> str:
    """SHA-256 (hex) of ``{"terms": ..., "documents": [sha256 of each attachment, in order]}``
    serialised by RFC 8785 (or, for an IPA that records it, the legacy rule)."""
    content = {"terms": dict(terms), "documents": list(document_hashes)}
    serialise = legacy_canonical_json if rule == HashRule.LEGACY_JSON else canonical_json
    return hashlib.sha256(serialise(content)).hexdigest()

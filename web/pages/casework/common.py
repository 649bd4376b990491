"""What the LA's casework pages share: who they are for, and how a referral reads."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from web.jsonschema_form import humanise
from web.page import Page

LA = ("LOCAL_AUTHORITY",)
LA_STAFF = frozenset({"LA_ADMIN", "LA_CASEWORKER"})
GENDERS = (("FEMALE", "Female"), ("MALE", "Male"), ("OTHER", "Other"))
URGENCIES = (
    ("TODAY", "Today", "A placement is needed today"),
    ("WITHIN_5_DAYS", "Within 5 days", None),
    ("OVER_5_DAYS", "In more than 5 days", None),
)
REFERRAL_STATUSES = (
    ("DRAFT", "Draft"),
    ("SENT", "Sent"),
    ("PLACED", "Placed"),
    ("WITHDRAWN", "Withdrawn"),
)


async def require_roles(p: Page, roles: Iterable[str]) -> None:
    """The 404 page for a person whose roles this page is not for (it says nothing more)."""
    header = await p.header()
    if not header.roles & set(roles):
        raise p.not_found()


async def require_la_staff(p: Page) -> None:
    await require_roles(p, LA_STAFF)


def children_text(children: Sequence[Mapping[str, Any]]) -> str:
    """``[{age: 14, gender: FEMALE}]`` -> ``1 child: 14, female``."""
    parts = [f"{c['age']}, {str(c['gender']).lower()}" for c in children]
    noun = "child" if len(children) == 1 else "children"
    return f"{len(children)} {noun}: " + "; ".join(parts)


def category_label(categories: Sequence[Mapping[str, Any]], value: str) -> str:
    return next((c["label"] for c in categories if c["category"] == value), value)


def category_of(categories: Sequence[Mapping[str, Any]], value: str) -> Mapping[str, Any] | None:
    return next((c for c in categories if c["category"] == value), None)


def declined_earlier(referral: Mapping[str, Any]) -> list[Mapping[str, Any]]:
    """Deliveries whose provider declined a version older than the referral's current one:
    sending the current version reaches them again (the seed's FAQ)."""
    return [
        d
        for d in referral.get("deliveries") or []
        if d["status"] == "DECLINED" and d["version"] < referral["version"]
    ]


def unsent_version(referral: Mapping[str, Any]) -> bool:
    """True when the current version has not been sent yet (a draft, or edited since)."""
    if referral["status"] == "DRAFT":
        return True
    if referral["status"] != "SENT":
        return False
    versions = [d["version"] for d in referral.get("deliveries") or []]
    return not versions or max(versions) < referral["version"]


def schema_summary(schema: Mapping[str, Any], value: Any) -> list[tuple[str, str]]:
    """A category's details as summary-list rows (label, text), in the schema's order, with
    the labels its form uses; fields left empty are left out."""
    rows: list[tuple[str, str]] = []
    if not isinstance(value, Mapping):
        return rows
    for key, sub in (schema.get("properties") or {}).items():
        if key not in value or value[key] in (None, "", [], {}):
            continue
        label = str(sub.get("title") or humanise(key))
        rows.append((label, _text(sub, value[key])))
    for key, item in value.items():  # anything the schema does not name, as given
        if key not in (schema.get("properties") or {}) and item not in (None, "", [], {}):
            rows.append((humanise(key), _text({}, item)))
    return rows


def _text(schema: Mapping[str, Any], value: Any) -> str:
    if isinstance(value, bool):
        return "Yes" if value else "No"
    if isinstance(value, list):
        return "; ".join(_text(schema.get("items") or {}, v) for v in value)
    if isinstance(value, Mapping):
        inner = (
            schema_summary(schema, value)
            if schema.get("properties")
            else [(humanise(str(k)), _text({}, v)) for k, v in value.items()]
        )
        return "; ".join(f"{label}: {text}" for label, text in inner)
    if schema.get("enum"):
        return humanise(str(value))
    return str(value)

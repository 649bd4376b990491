"""Template filters: dates, money and statuses in the service's plain English (web.md 1.9)."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any
from zoneinfo import ZoneInfo

from jinja2 import Environment
from markupsafe import Markup

from web.forms import field_id

LONDON = ZoneInfo("Europe/London")

#: GOV.UK tag colours of statuses (any status not listed is grey).
TAG_COLOURS = {
    "NEW": "blue",
    "SENT": "blue",
    "SUBMITTED": "blue",
    "PENDING_APPROVAL": "blue",
    "READY_FOR_SIGNING": "blue",
    "OFFERED": "turquoise",
    "ACCEPTED": "green",
    "APPROVED": "green",
    "PLACED": "green",
    "SIGNED": "green",
    "DECLINED": "red",
    "REJECTED": "red",
    "EXPIRED": "red",
    "WITHDRAWN": "grey",
    "DRAFT": "grey",
    "OPEN_FOR_EDITING": "yellow",
    "EXPIRING": "orange",
    "NOT_SUBMITTED": "grey",
}


def long_date(value: str | date | None) -> str:
    """``2026-12-03`` -> ``3 December 2026``."""
    if not value:
        return ""
    if isinstance(value, str):
        value = date.fromisoformat(value[:10]) if len(value) <= 10 else _datetime(value)
    if isinstance(value, datetime):
        value = value.astimezone(LONDON)
    return f"{value.day} {value:%B %Y}"


def long_datetime(value: str | datetime | None) -> str:
    """``2026-12-03T14:05:00+00:00`` -> ``3 December 2026 at 2:05pm`` (London time)."""
    if not value:
        return ""
    moment = _datetime(value) if isinstance(value, str) else value
    moment = moment.astimezone(LONDON)
    hour = moment.hour % 12 or 12
    return f"{moment.day} {moment:%B %Y} at {hour}:{moment:%M}{'am' if moment.hour < 12 else 'pm'}"


def _datetime(value: str) -> datetime:
    return datetime.fromisoformat(value.replace("Z", "+00:00"))


def money(value: Any) -> str:
    """``"1250"`` -> ``£1,250.00``."""
    if value is None or value == "":
        return ""
    try:
        amount = Decimal(str(value))
    except InvalidOperation:
        return str(value)
    return f"£{amount:,.2f}"


def label(value: Any) -> str:
    """An enum value in words: ``WITHIN_5_DAYS`` -> ``Within 5 days``."""
    if value is None:
        return ""
    text = str(value).replace("_", " ").lower()
    return text[:1].upper() + text[1:]


def tag_colour(value: Any) -> str:
    return TAG_COLOURS.get(str(value), "grey")


def tag(value: Any, text: str | None = None) -> dict[str, str]:
    """The parameters of ``govukTag`` for a status."""
    return {"text": text or label(value), "classes": f"govuk-tag--{tag_colour(value)}"}


#: Distinct tags kept by :func:`cached_tag` (statuses and a few words: a handful in practice).
TAG_CACHE_SIZE = 256


def cached_tag(environment: Environment) -> Callable[[Mapping[str, Any]], Markup]:
    """``govuk_tag(params)``: what ``govukTag(params)`` draws, each distinct tag of only
    ``text`` and ``classes`` drawn once per process. A list of 50 referrals draws the same few
    tags a hundred times, and the macro (with its attribute macros) was half of the page's
    rendering time."""
    drawn: dict[tuple[Any, Any], Markup] = {}
    macro: list[Any] = []

    def govuk_tag(params: Mapping[str, Any]) -> Markup:
        if not macro:
            template = "govuk_frontend_jinja/components/tag/macro.html"
            macro.append(environment.get_template(template).module.govukTag)  # type: ignore[attr-defined]
        if not set(params) <= {"text", "classes"}:
            return Markup(macro[0](params))
        key = (params.get("text"), params.get("classes"))
        found = drawn.get(key)
        if found is None:
            found = Markup(macro[0](params))
            if len(drawn) < TAG_CACHE_SIZE:
                drawn[key] = found
        return found

    return govuk_tag


def file_size(value: int | None) -> str:
    if not value:
        return "0 KB"
    if value < 1024 * 1024:
        return f"{max(1, round(value / 1024))} KB"
    return f"{value / (1024 * 1024):.1f} MB"


def install(environment: Environment) -> None:
    environment.filters.update(
        long_date=long_date,
        long_datetime=long_datetime,
        money=money,
        label=label,
        tag=tag,
        field_id=field_id,
        file_size=file_size,
    )
    environment.globals["govuk_tag"] = cached_tag(environment)

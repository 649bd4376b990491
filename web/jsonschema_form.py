"""A category plugin's JSON Schema as GOV.UK form fields, and the posted form back as JSON.

    fields = schema_fields(schema, "details", value=offer["details"])   # to render
    details, problems = parse_form(schema, "details", await p.form_values())

Rendering: ``{% from "jsonschema_form.html" import schema_fields with context %}`` then
``{{ schema_fields(fields) }}`` inside the page's ``<form>``. Field names are the dotted paths
of the JSON (``details.family.carers.0.name``), so the API's ``userErrors`` on
``["input", "details", "family", "carers", "0", "name"]`` land on their field.

What each schema becomes (web.md 1.7): ``string`` a text input (``maxLength`` over 200: a
textarea; ``format: date``: a date input), ``integer``/``number`` a numeric input,
``boolean`` Yes/No radios, ``enum`` radios (a select when more than 6 values), an array of
enums checkboxes, an array of strings a textarea of one value per line, an array of objects
a fieldset per item (``maxItems`` of them, or one more than given, at most 10), an object a
fieldset. ``title`` is the label, ``description`` the hint.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

MAX_ITEMS = 10
SELECT_OVER = 6


@dataclass
class SchemaField:
    """One field to render. ``kind``: text, textarea, integer, number, boolean, radios,
    select, checkboxes, lines, date, fieldset or items (an array of objects)."""

    kind: str
    name: str
    label: str
    hint: str | None = None
    required: bool = False
    value: Any = None
    options: list[tuple[str, str]] = field(default_factory=list)
    children: list[SchemaField] = field(default_factory=list)


def humanise(key: str) -> str:
    """``placementType`` -> ``Placement type``; ``SHORT_TERM`` -> ``Short term``."""
    words = re.sub(r"(?<=[a-z0-9])(?=[A-Z])", " ", key).replace("_", " ").strip()
    words = words.lower()
    return words[:1].upper() + words[1:]


def _label(schema: Mapping[str, Any], key: str) -> str:
    return str(schema.get("title") or humanise(key))


def _enum(schema: Mapping[str, Any]) -> list[Any] | None:
    values = schema.get("enum")
    return list(values) if isinstance(values, list) else None


def _type(schema: Mapping[str, Any]) -> str | None:
    kind = schema.get("type")
    if isinstance(kind, list):
        kind = next((k for k in kind if k != "null"), None)
    return kind


def _item_label(schema: Mapping[str, Any], key: str) -> str:
    items = schema.get("items") or {}
    if items.get("title"):
        return str(items["title"])
    label = humanise(key)
    return label[:-1] if label.endswith("s") and len(label) > 3 else label


def schema_fields(schema: Mapping[str, Any], prefix: str, value: Any = None) -> list[SchemaField]:
    """The fields of an object schema, named under ``prefix``, filled from ``value``."""
    value = value if isinstance(value, Mapping) else {}
    required = set(schema.get("required") or ())
    return [
        _field(sub, f"{prefix}.{key}", key, key in required, value.get(key))
        for key, sub in (schema.get("properties") or {}).items()
    ]


def _field(
    schema: Mapping[str, Any], name: str, key: str, required: bool, value: Any
) -> SchemaField:
    label = _label(schema, key)
    hint = schema.get("description")
    kind = _type(schema)
    enum = _enum(schema)

    def make(widget: str, **extra: Any) -> SchemaField:
        return SchemaField(widget, name=name, label=label, hint=hint, required=required, **extra)

    if enum is not None:
        options = [(str(v), humanise(str(v))) for v in enum]
        widget = "select" if len(options) > SELECT_OVER else "radios"
        return make(widget, options=options, value=_text(value))
    if kind == "object":
        return make("fieldset", children=schema_fields(schema, name, value))
    if kind == "array":
        items = schema.get("items") or {}
        item_enum = _enum(items)
        if item_enum is not None:
            options = [(str(v), humanise(str(v))) for v in item_enum]
            chosen = [str(v) for v in value] if isinstance(value, list) else []
            return make("checkboxes", options=options, value=chosen)
        if _type(items) == "object":
            given = value if isinstance(value, list) else []
            slots = _slots(schema, len(given))
            item_label = _item_label(schema, key)
            children = [
                SchemaField(
                    "fieldset",
                    name=f"{name}.{index}",
                    label=f"{item_label} {index + 1}",
                    children=schema_fields(
                        items, f"{name}.{index}", given[index] if index < len(given) else None
                    ),
                )
                for index in range(slots)
            ]
            return make("items", children=children)
        lines = "\n".join(str(v) for v in value) if isinstance(value, list) else ""
        each = (hint + " " if hint else "") + "One on each line."
        return SchemaField(
            "lines", name=name, label=label, hint=each, required=required, value=lines
        )
    if kind == "boolean":
        chosen_text = "" if value is None else ("true" if value else "false")
        yes_no = [("true", "Yes"), ("false", "No")]
        return make("boolean", options=yes_no, value=chosen_text)
    if kind in ("integer", "number"):
        return make(kind, value=_text(value))
    if schema.get("format") == "date":
        return make("date", value=_text(value))
    long = int(schema.get("maxLength") or 0) > 200
    return make("textarea" if long else "text", value=_text(value))


def _slots(schema: Mapping[str, Any], given: int) -> int:
    most = min(int(schema.get("maxItems") or MAX_ITEMS), MAX_ITEMS)
    least = int(schema.get("minItems") or 0)
    return max(least, min(most, given + 1), 1)


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


# ---------------------------------------------------------------- posted form -> JSON


def parse_form(
    schema: Mapping[str, Any], prefix: str, posted: Mapping[str, Any]
) -> tuple[dict[str, Any], list[tuple[str, str]]]:
    """The JSON the API expects from the posted fields under ``prefix``, and the problems
    found on the way (``(field name, message)``: not a number, not a real date, a required
    field left empty). Empty fields are left out, as the schema's optional properties."""
    problems: list[tuple[str, str]] = []
    value = _object(schema, prefix, posted, problems, present=True)
    return value or {}, problems


def _object(
    schema: Mapping[str, Any],
    prefix: str,
    posted: Mapping[str, Any],
    problems: list[tuple[str, str]],
    *,
    present: bool,
) -> dict[str, Any] | None:
    result: dict[str, Any] = {}
    found: list[tuple[str, str]] = []
    required = set(schema.get("required") or ())
    for key, sub in (schema.get("properties") or {}).items():
        name = f"{prefix}.{key}"
        value = _value(sub, name, key, posted, found, required=key in required)
        if value is not None:
            result[key] = value
    if not result and not present:
        return None  # an optional object left wholly empty: not sent, nothing to complain of
    for key in required:
        if key not in result:
            sub = (schema.get("properties") or {}).get(key, {})
            name = f"{prefix}.{key}"
            if not any(n == name or n.startswith(name + ".") for n, _ in found):
                found.append((_first_input(sub, name), _missing(sub, key)))
    problems.extend(found)
    return result


def _first_input(schema: Mapping[str, Any], name: str) -> str:
    """The field a 'required' problem points at: an array of objects' first item's first."""
    if _type(schema) == "array" and _type(schema.get("items") or {}) == "object":
        props = list((schema.get("items") or {}).get("properties") or {})
        return f"{name}.0.{props[0]}" if props else name
    return name


def _missing(schema: Mapping[str, Any], key: str) -> str:
    label = _label(schema, key)
    if _enum(schema) is not None or _type(schema) == "boolean":
        return f"Select {label.lower()}"
    if _type(schema) == "array":
        return f"Add at least one {_item_label(schema, key).lower()}"
    return f"Enter {label.lower()}"


def _value(
    schema: Mapping[str, Any],
    name: str,
    key: str,
    posted: Mapping[str, Any],
    problems: list[tuple[str, str]],
    *,
    required: bool,
) -> Any:
    kind = _type(schema)
    enum = _enum(schema)
    label = _label(schema, key)
    if enum is not None:
        text = _posted_text(posted, name)
        if not text:
            return None
        for option in enum:
            if str(option) == text:
                return option
        problems.append((name, f"Select {label.lower()} from the list"))
        return None
    if kind == "object":
        return _object(schema, name, posted, problems, present=required)
    if kind == "array":
        items = schema.get("items") or {}
        if _enum(items) is not None:
            chosen = _posted_list(posted, name)
            allowed = {str(v): v for v in _enum(items) or ()}
            values = [allowed[c] for c in chosen if c in allowed]
            return values or None
        if _type(items) == "object":
            values = []
            for index in range(MAX_ITEMS):
                item_name = f"{name}.{index}"
                if not any(k.startswith(item_name + ".") for k in posted):
                    continue
                item = _object(items, item_name, posted, problems, present=False)
                if item:
                    values.append(item)
            return values or None
        lines = [line.strip() for line in _posted_text(posted, name).splitlines()]
        return [line for line in lines if line] or None
    if kind == "boolean":
        text = _posted_text(posted, name)
        return {"true": True, "false": False}.get(text)
    if kind in ("integer", "number"):
        text = _posted_text(posted, name).replace(",", "")
        if not text:
            return None
        try:
            number = Decimal(text)
        except InvalidOperation:
            number = None
        if number is None or not number.is_finite():
            problems.append((name, f"{label} must be a number"))
            return None
        if kind == "integer":
            if number != number.to_integral_value():
                problems.append((name, f"{label} must be a whole number"))
                return None
            return int(number)
        return int(number) if number == number.to_integral_value() else float(number)
    if schema.get("format") == "date":
        return parse_date(posted, name, label, problems)
    text = _posted_text(posted, name)
    return text or None


def parse_date(
    posted: Mapping[str, Any], name: str, label: str, problems: list[tuple[str, str]]
) -> str | None:
    """A GOV.UK date input (``name-day``, ``name-month``, ``name-year``) as an ISO date."""
    parts = [_posted_text(posted, f"{name}-{p}") for p in ("day", "month", "year")]
    if not any(parts):
        return None
    try:
        day, month, year = (int(p) for p in parts)
        return date(year, month, day).isoformat()
    except ValueError:
        problems.append((name, f"{label} must be a real date"))
        return None


def _posted_text(posted: Mapping[str, Any], name: str) -> str:
    value = posted.get(name)
    if isinstance(value, list):
        value = value[0] if value else ""
    return str(value or "").strip()


def _posted_list(posted: Mapping[str, Any], name: str) -> list[str]:
    value = posted.get(name)
    if value is None:
        return []
    return [str(v) for v in value] if isinstance(value, list) else [str(value)]


# ---------------------------------------------------------------- JSON -> summary rows


def describe(schema: Mapping[str, Any], value: Any) -> list[tuple[str, str]]:
    """``value`` as (label, text) rows by its schema's titles, for a summary list: nested
    objects' labels are joined ("Family: Label"), arrays listed, booleans Yes/No."""
    return [(label, text) for label, text, _ in describe_fields(schema, value, "")]


def describe_fields(
    schema: Mapping[str, Any], value: Any, prefix: str
) -> list[tuple[str, str, str]]:
    """As :func:`describe`, each row with the name of the form field it came from (as
    :func:`schema_fields` names them under ``prefix``): a check-your-answers page's "Change"
    goes back to that field."""
    rows: list[tuple[str, str, str]] = []
    _describe(schema, value, "", rows, prefix)
    return rows


def _describe(
    schema: Mapping[str, Any],
    value: Any,
    prefix: str,
    rows: list[tuple[str, str, str]],
    path: str,
) -> None:
    if not isinstance(value, Mapping):
        return
    for key, sub in (schema.get("properties") or {}).items():
        if key not in value or value[key] in (None, "", []):
            continue
        label = f"{prefix}{_label(sub, key)}"
        name = f"{path}.{key}" if path else key
        item = value[key]
        kind = _type(sub)
        if kind == "object":
            _describe(sub, item, f"{label}: ", rows, name)
        elif kind == "array" and _type(sub.get("items") or {}) == "object":
            for index, element in enumerate(item if isinstance(item, list) else []):
                item_label = f"{label} {index + 1}: "
                _describe(sub.get("items") or {}, element, item_label, rows, f"{name}.{index}")
        elif isinstance(item, list):
            rows.append((label, ", ".join(_shown(sub.get("items") or {}, v) for v in item), name))
        else:
            rows.append((label, _shown(sub, item), name))


def _shown(schema: Mapping[str, Any], value: Any) -> str:
    if isinstance(value, bool):
        return "Yes" if value else "No"
    if _enum(schema) is not None:
        return humanise(str(value))
    return str(value)

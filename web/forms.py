"""Forms: the person's input, ``userErrors`` by ``field`` path, and the CSRF token.

A form field is named by its path inside the mutation's input, dotted: the error
``{"field": ["input", "details", "family", "label"]}`` lands on the field named
``details.family.label`` (whose HTML id is ``details-family-label``). Errors whose path
names no field of the form are shown in the error summary only.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

CSRF_COOKIE = "portal_csrf"
CSRF_FIELD = "csrf_token"
BANNER_COOKIE = "portal_banner"


def field_name(path: Iterable[str] | None) -> str | None:
    """``["input", "coreFee"]`` -> ``"coreFee"``; None for an error about no field."""
    if not path:
        return None
    parts = [str(p) for p in path]
    if parts and parts[0] == "input":
        parts = parts[1:]
    return ".".join(parts) or None


def field_id(name: str) -> str:
    """The HTML id of the field named ``name`` (error summary links point at it)."""
    return name.replace(".", "-").replace("[", "-").replace("]", "")


@dataclass
class Form:
    """What a template needs to show a form again: the values posted and the errors.

    ``values`` maps field names to the posted text (a list for repeated names, such as
    checkboxes); ``known`` lists the fields the page shows, so that the error summary links
    only to fields that exist (the rest are listed without a link)."""

    values: Mapping[str, Any] = field(default_factory=dict)
    errors: dict[str, str] = field(default_factory=dict)
    general: list[str] = field(default_factory=list)

    def add(self, name: str | None, message: str) -> None:
        """One error: on field ``name`` (its first error wins), or about the whole form."""
        if name is None:
            self.general.append(message)
        elif name not in self.errors:
            self.errors[name] = message

    def add_user_errors(self, user_errors: Iterable[Mapping[str, Any]]) -> None:
        for error in user_errors:
            self.add(field_name(error.get("field")), str(error["message"]))

    def __bool__(self) -> bool:
        return bool(self.errors or self.general)

    def value(self, name: str, default: Any = "") -> Any:
        value = self.values.get(name, default)
        return default if value is None else value

    def values_of(self, name: str) -> list[str]:
        """Every value posted for ``name`` (checkboxes)."""
        value = self.values.get(name)
        if value is None:
            return []
        return [str(v) for v in value] if isinstance(value, list | tuple) else [str(value)]

    def error(self, name: str) -> dict[str, str] | None:
        """The ``errorMessage`` parameter of a govuk macro for field ``name``."""
        message = self.errors.get(name)
        return {"text": message} if message else None

    def errors_under(self, prefix: str) -> dict[str, str]:
        """Errors of ``prefix`` and the fields inside it (``details`` -> ``details.x``)."""
        return {k: v for k, v in self.errors.items() if k == prefix or k.startswith(prefix + ".")}

    def summary(self, known: Iterable[str] | None = None) -> list[dict[str, str]]:
        """The items of the GOV.UK error summary: each field error links to its field."""
        shown = set(known) if known is not None else None
        items = [{"text": message} for message in self.general]
        for name, message in self.errors.items():
            if shown is None or name in shown:
                items.append({"text": message, "href": "#" + field_id(name)})
            else:
                items.append({"text": message})
        return items


# ---------------------------------------------------------------- signed values


def sign(secret: str, purpose: str, value: str) -> str:
    digest = hmac.new(secret.encode(), f"{purpose}:{value}".encode(), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest).decode().rstrip("=")


def new_csrf_secret() -> str:
    return secrets.token_urlsafe(32)


def csrf_token(secret: str, csrf_cookie: str) -> str:
    """The token every form carries: the cookie's value signed with the portal's secret key
    (a signed double-submit cookie: a page of another site can neither read nor make it)."""
    return sign(secret, "csrf", csrf_cookie)


def csrf_ok(secret: str, csrf_cookie: str | None, posted: object) -> bool:
    if not csrf_cookie or not isinstance(posted, str) or not posted:
        return False
    return hmac.compare_digest(csrf_token(secret, csrf_cookie), posted)


def pack_banner(secret: str, text: str) -> str:
    body = base64.urlsafe_b64encode(text.encode()).decode()
    return f"{body}.{sign(secret, 'banner', body)}"


def unpack_banner(secret: str, cookie: str | None) -> str | None:
    if not cookie or "." not in cookie:
        return None
    body, _, mac = cookie.rpartition(".")
    if not hmac.compare_digest(sign(secret, "banner", body), mac):
        return None
    try:
        return base64.urlsafe_b64decode(body.encode()).decode()
    except ValueError:
        return None

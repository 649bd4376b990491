"""Email addresses: one person, one account, compared case-insensitively."""

from __future__ import annotations

import re

from core.errors import InvalidInput

_EMAIL = re.compile(
    r"^[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)+$"
)


def email_key(email: str) -> str:
    """The form in which addresses are compared and kept unique."""
    return email.strip().casefold()


def check_personal_email(
    email: str, role_local_parts: tuple[str, ...], field: tuple[str, ...] = ("input", "email")
) -> str:
    """The cleaned address, or INVALID for a malformed or shared (role) address."""
    cleaned = email.strip()
    if len(cleaned) > 320 or not _EMAIL.match(cleaned):
        raise InvalidInput(f'"{cleaned}" is not a valid email address.', field=field)
    # The mailbox itself: a sub-address (referrals+123@, referrals-team@ stays as it is) or a
    # dotted variant reaches the same shared mailbox.
    local = cleaned.split("@", 1)[0].casefold().split("+", 1)[0]
    if local in role_local_parts or local.replace(".", "") in role_local_parts:
        raise InvalidInput(
            f'"{cleaned}" looks like a shared mailbox ({local}@). Each person needs an account '
            "of their own with their own email address, so that what they do in the portal is "
            "known to be theirs; everyone in your organisation still sees its referrals.",
            field=field,
        )
    return cleaned

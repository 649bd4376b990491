"""Organisations and accounts: sign-up, invitations, account requests, roles.

Callers import them from here; each use case lives in its own module:
:mod:`core.identity.organisations` (sign-up, local authorities, platform admins),
:mod:`core.identity.invitations`, :mod:`core.identity.granting` (roles),
:mod:`core.identity.account_requests`, on what they share in :mod:`core.identity.members`.
(Signing in is :mod:`core.identity.login`; leaving, :mod:`core.identity.leaving`.)
"""

from __future__ import annotations

from core.identity.account_requests import decide_account_request, request_account
from core.identity.granting import set_user_roles
from core.identity.invitations import INVITATION_LIFETIME, accept_invitation, invite_user
from core.identity.members import PLATFORM_GRANTED
from core.identity.organisations import (
    PLATFORM_NAME,
    create_local_authority,
    create_platform_admin,
    platform_organisation,
    set_enabled_categories,
)

__all__ = [
    "INVITATION_LIFETIME",
    "PLATFORM_GRANTED",
    "PLATFORM_NAME",
    "accept_invitation",
    "create_local_authority",
    "create_platform_admin",
    "decide_account_request",
    "invite_user",
    "platform_organisation",
    "request_account",
    "set_enabled_categories",
    "set_user_roles",
]

"""The web page an email links to: the address of what it is about (web.md section 2), made
of the object's GraphQL global id."""

from __future__ import annotations

import base64
import uuid

from core.settings import Settings

#: Where the web client shows each type of object; ``{id}`` is its global id.
PAGES = {
    "Referral": "/referrals/{id}",
    "Offer": "/offers/{id}",
    "IndividualPlacementAgreement": "/agreements/{id}",
    "ProviderRegistration": "/organisation/registration",
    "Document": "/organisation/documents",
}


def global_id(type_name: str, key: uuid.UUID) -> str:
    """The GraphQL global id of an object (``schema.node.encode_id``'s form; a test keeps
    the two equal)."""
    raw = base64.urlsafe_b64encode(f"{type_name}:{key.hex}".encode()).decode()
    return raw.rstrip("=")


def page_link(settings: Settings, type_name: str | None, key: uuid.UUID | None) -> str:
    """The full address of the object's page; the portal's home for anything else."""
    base = settings.base_url.rstrip("/")
    template = PAGES.get(type_name or "")
    if template is None or key is None:
        return base + "/"
    return base + template.format(id=global_id(type_name or "", key))

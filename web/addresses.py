"""The web address of an object, from its GraphQL global id (web.md section 2)."""

from __future__ import annotations

from schema.node import decode_any_id

#: Where each type of object is shown; ``{id}`` is its global id.
ADDRESSES = {
    "Referral": "/referrals/{id}",
    "Offer": "/offers/{id}",
    "IndividualPlacementAgreement": "/agreements/{id}",
    "ProviderRegistration": "/registrations/{id}",
    "Document": "/organisation/documents",
    "Organisation": "/organisation",
}


def address_of(global_id: str | None, *, organisation_kind: str | None = None) -> str | None:
    """The page of the object ``global_id`` names, or None when it has no page.

    A provider sees its own registration at ``/organisation/registration``."""
    if not global_id:
        return None
    decoded = decode_any_id(global_id)
    if decoded is None:
        return None
    type_name = decoded[0]
    if type_name == "ProviderRegistration" and organisation_kind == "PROVIDER":
        return "/organisation/registration"
    template = ADDRESSES.get(type_name)
    return template.format(id=global_id) if template else None

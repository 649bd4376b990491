"""The life of an offer: submit, update, withdraw, accept, decline, revise an accepted one.

One live offer (SUBMITTED or ACCEPTED) per provider per referral is the database's rule (the
partial unique index ``uq_offers_live_per_provider``): two people of one provider submitting
at the same moment get one offer and one CONFLICT, whatever the timing.

Callers import the use cases from here; each lives in its own module:
:mod:`core.offers.submitting`, :mod:`core.offers.changing` (update),
:mod:`core.offers.revising`, :mod:`core.offers.withdrawing`, :mod:`core.offers.deciding`
(accept, decline), on what they share: :mod:`core.offers.locks` (reading inside a unit of
work), :mod:`core.offers.making` (home, documents, family, the guarded insert) and
:mod:`core.offers.telling` (notifications and webhooks).
"""

from __future__ import annotations

from core.offers.changing import Changes, update_offer
from core.offers.deciding import accept_offer, decline_offer
from core.offers.making import LIVE_INDEX, DocumentRef, MissingDocument
from core.offers.revising import revise_accepted_offer
from core.offers.submitting import submit_offer
from core.offers.telling import la_staff, provider_staff
from core.offers.withdrawing import withdraw_offer

__all__ = [
    "LIVE_INDEX",
    "Changes",
    "DocumentRef",
    "MissingDocument",
    "accept_offer",
    "decline_offer",
    "la_staff",
    "provider_staff",
    "revise_accepted_offer",
    "submit_offer",
    "update_offer",
    "withdraw_offer",
]

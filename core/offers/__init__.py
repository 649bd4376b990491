"""Offers: one home per offer, one live offer per provider per referral, accepted or declined
with a reason."""

from core.offers import documents as _documents  # noqa: F401  (registers the document rule)

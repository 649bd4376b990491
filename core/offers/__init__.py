"""Offers: one home per offer, one live offer per provider per referral, accepted or declined
with a reason."""

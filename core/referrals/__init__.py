"""Referrals: the LA sends, the right providers (and only they) receive."""

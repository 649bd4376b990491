"""Referrals: the LA sends, the right providers (and only they) receive."""

from core.referrals import documents as _documents  # noqa: F401  (registers the document rule)

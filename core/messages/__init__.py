"""Messages between a local authority and a provider about a referral."""

from core.messages import documents as _documents  # noqa: F401  (registers the document rule)

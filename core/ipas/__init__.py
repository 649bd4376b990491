"""Individual Placement Agreements: drawn from an accepted offer, frozen, signed by both sides."""

from core.ipas import documents as _documents  # noqa: F401  (registers the document rule)

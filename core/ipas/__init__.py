"""Individual Placement Agreements: drawn from an accepted offer, frozen, signed by both sides."""

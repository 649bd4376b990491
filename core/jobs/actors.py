"""The Dramatiq actors. Each is idempotent: delivery is at least once."""

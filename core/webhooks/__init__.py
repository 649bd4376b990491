"""Webhooks for LA systems: endpoints, the events written for them in the unit of work of each
change (an outbox, as emails are), and their signed delivery (Standard Webhooks)."""

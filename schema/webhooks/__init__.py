"""Webhooks for LA systems: endpoints, deliveries and the mutations of LA admins."""

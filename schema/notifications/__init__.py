"""Notifications: the list, marking read, email preferences and the live subscription."""

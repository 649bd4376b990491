"""Notifications in the portal and their emails."""

"""The FAMILY_ASSESSMENT care category: residential family assessment."""

"""The SUPPORTED_ACCOMMODATION care category: 16 and 17 year olds."""

"""The FOSTERING care category: foster households, one family per offer."""

"""The RESIDENTIAL care category: children's homes."""

"""Boundary sets: a registry described as data, loaded into one standard shape."""

"""levelup: regional statistics on real boundaries, as vector tiles, extracts and a web map."""

__version__ = "0.1.0"

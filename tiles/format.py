"""What decides a tile's bytes apart from the data and the boundaries: the tile format's
version, the cutter's and encoder's parameters, and the libraries that compute them.

Its digest is part of every tileset's digest and names the cached pyramids, so changing any of
these rebuilds the tiles, while an edit that leaves the bytes alone (a docstring, a comment, a
refactor) rebuilds nothing. Change how geometry is cut, simplified, encoded or compressed
without a parameter here changing? Bump TILE_FORMAT.
"""

from __future__ import annotations

import hashlib
import json
import zlib
from importlib.metadata import version
from typing import Any

TILE_FORMAT = 1
"""Version of the tile bytes for the same inputs and parameters."""

LIBRARIES = ("shapely", "geopandas", "pyproj", "numpy", "isal", "mercantile", "pyogrio")
"""Packages whose versions can change a cut, simplified, projected or gzipped tile."""


def parameters() -> dict[str, Any]:
    """Every input of the tile bytes other than the data: format, parameters, library versions."""
    import pyproj
    import shapely

    from tiles import cutter, entry, geometry, hexes, mvt, tilemath, tileset

    return {
        "format": TILE_FORMAT,
        "extent": mvt.EXTENT,
        "buffer": cutter.BUFFER,
        "simplify_units": geometry.SIMPLIFY_UNITS,
        "radius": geometry.RADIUS,
        "max_latitude": tilemath.MAX_LATITUDE,
        "hexes": [hexes.MINZOOM, hexes.MAXZOOM, hexes.LABELS_FROM, hexes.LABEL_KEYS],
        "hex_layers": entry.HEX_LAYERS,
        "field_types": tileset.FIELD_TYPES,
        "gzip": ["isal.igzip", 1, "zlib", 6, zlib.ZLIB_RUNTIME_VERSION],
        "geos": shapely.geos_version_string,
        "proj": pyproj.proj_version_str,
        "libraries": {name: version(name) for name in LIBRARIES},
    }


def format_digest(values: dict[str, Any] | None = None) -> str:
    """A short digest of `parameters()` (or of the values given, for tests)."""
    text = json.dumps(parameters() if values is None else values, sort_keys=True, default=str)
    return hashlib.sha256(text.encode()).hexdigest()[:16]

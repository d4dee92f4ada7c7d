"""A boundary set's geometry, encoded once per tile (built by tiles.cutter; no shapely here).

Every tileset on the same boundary set reuses this: only the attribute part of each tile
changes from tileset to tileset.
"""

from __future__ import annotations

import pickle
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from levelup.atomic import write_bytes_atomic
from tiles.mvt import EncodedFeature
from tiles.tilemath import Tile


@dataclass(frozen=True, slots=True)
class PyramidInfo:
    """Extent and zoom range of a pyramid, for tileset metadata."""

    set_id: str
    minzoom: int
    maxzoom: int
    bounds: tuple[float, float, float, float]
    center: tuple[float, float, int]
    codes: tuple[str, ...]
    names: tuple[str, ...]


@dataclass(slots=True)
class GeometryPyramid:
    """Encoded feature geometries per tile, from z0 to the set's max zoom."""

    info: PyramidInfo
    tiles: dict[Tile, tuple[EncodedFeature, ...]] = field(default_factory=dict)
    # Encoded Tile.layers fields appended to every tileset's tile (a hex map's labels and
    # region outlines), and their vector_layers entries (id, description, fields).
    extra: dict[Tile, bytes] = field(default_factory=dict)
    extra_layers: tuple[dict[str, Any], ...] = ()
    # Tiles whose areas carry no values encode the same for every tileset on this set:
    # kept per process, keyed by (layer, keys, tile), never saved.
    blank: dict[tuple[str, tuple[str, ...], Tile], bytes] = field(default_factory=dict)

    def __iter__(self) -> Iterator[tuple[Tile, tuple[EncodedFeature, ...]]]:
        return iter(sorted(self.tiles.items()))

    @property
    def feature_count(self) -> int:
        """Feature instances over all tiles."""
        return sum(len(f) for f in self.tiles.values())

    def save(self, path: Path) -> None:
        """Write the pyramid to a cache file (atomically)."""
        saved = GeometryPyramid(self.info, self.tiles, self.extra, self.extra_layers)
        write_bytes_atomic(path, pickle.dumps(saved, protocol=pickle.HIGHEST_PROTOCOL))

    @staticmethod
    def load(path: Path) -> GeometryPyramid:
        """Read a pyramid written by `save`."""
        with open(path, "rb") as handle:
            pyramid = pickle.load(handle)
        if not isinstance(pyramid, GeometryPyramid):
            raise TypeError(f"{path} does not hold a geometry pyramid")
        return pyramid


def geometry_bytes(pyramid: GeometryPyramid) -> int:
    """Total encoded geometry bytes over all tiles."""
    return sum(len(f.geometry) for features in pyramid.tiles.values() for f in features)

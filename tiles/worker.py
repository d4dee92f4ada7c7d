"""The per-tileset job run in worker processes: attributes + cached geometry -> an MBTiles file.

Kept light (numpy and tiles modules only) so worker processes start fast and never need
geopandas or shapely: the geometry was cut once per boundary set and is read from its cache.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from tiles.pyramid import GeometryPyramid
from tiles.store.mbtiles import MBTilesWriter
from tiles.tileset import AreaProperties, TilesetSpec, encode_tiles, metadata

_PYRAMIDS: dict[Path, GeometryPyramid] = {}


@dataclass(frozen=True, slots=True)
class TilesetJob:
    """One tileset to write: its description, per-area columns and where to put it."""

    spec: TilesetSpec
    pyramid_path: Path
    columns: dict[str, np.ndarray]
    target: Path
    digest: str


@dataclass(frozen=True, slots=True)
class TilesetResult:
    """What writing one tileset produced."""

    id: str
    digest: str
    tiles: int
    unique_tiles: int
    bytes: int
    features: int
    seconds: float
    metadata: dict[str, str]


def pyramid(path: Path) -> GeometryPyramid:
    """Load a cached pyramid once per process."""
    if path not in _PYRAMIDS:
        if len(_PYRAMIDS) >= 4:
            _PYRAMIDS.pop(next(iter(_PYRAMIDS)))
        _PYRAMIDS[path] = GeometryPyramid.load(path)
    return _PYRAMIDS[path]


def run(job: TilesetJob) -> TilesetResult:
    """Encode every tile of one tileset and write it atomically as MBTiles."""
    started = time.perf_counter()
    geometry = pyramid(job.pyramid_path)
    properties = AreaProperties(geometry.info, job.columns)
    writer = MBTilesWriter(job.target)
    features = 0
    try:
        for tile, data, count in encode_tiles(geometry, properties, job.spec.key.level):
            writer.put(tile, data)
            features += count
        meta = metadata(job.spec, geometry.info, properties, geometry.extra_layers)
        writer.finalize(meta)
    except BaseException:
        writer.abort()
        raise
    return TilesetResult(
        job.spec.key.id,
        job.digest,
        writer.tile_count,
        writer.unique_count,
        writer.bytes_written,
        features,
        time.perf_counter() - started,
        meta,
    )

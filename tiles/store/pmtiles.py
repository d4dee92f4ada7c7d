"""Export a tileset as a PMTiles v3 archive (the `pmtiles` package's writer)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import BinaryIO

from pmtiles.tile import Compression, TileType, zxy_to_tileid
from pmtiles.writer import Writer

from levelup.atomic import atomic_path
from tiles.store.mbtiles import MBTilesReader


def _header(meta: dict[str, str]) -> dict[str, object]:
    west, south, east, north = (float(v) for v in meta["bounds"].split(","))
    lon, lat, zoom = meta["center"].split(",")
    return {
        "tile_type": TileType.MVT,
        "tile_compression": Compression.GZIP,
        "min_zoom": int(meta["minzoom"]),
        "max_zoom": int(meta["maxzoom"]),
        "min_lon_e7": int(west * 1e7),
        "min_lat_e7": int(south * 1e7),
        "max_lon_e7": int(east * 1e7),
        "max_lat_e7": int(north * 1e7),
        "center_lon_e7": int(float(lon) * 1e7),
        "center_lat_e7": int(float(lat) * 1e7),
        "center_zoom": int(zoom),
    }


def pmtiles_metadata(meta: dict[str, str]) -> dict[str, object]:
    """PMTiles JSON metadata: the MBTiles fields, with `json` unpacked to top-level keys."""
    out: dict[str, object] = {k: v for k, v in meta.items() if k not in ("json", "levelup")}
    out.update(json.loads(meta.get("json", "{}")))
    if "levelup" in meta:
        out["levelup"] = json.loads(meta["levelup"])
    return out


def write_pmtiles(source: Path, handle: BinaryIO) -> None:
    """Write the MBTiles tileset at `source` as a clustered PMTiles archive to `handle`."""
    reader = MBTilesReader(source)
    try:
        meta = reader.metadata()
        writer = Writer(handle)
        for tile in sorted(reader.tiles(), key=lambda t: zxy_to_tileid(t.z, t.x, t.y)):
            data = reader.get(tile)
            if data:
                writer.write_tile(zxy_to_tileid(tile.z, tile.x, tile.y), data)
        writer.finalize(_header(meta), pmtiles_metadata(meta))
    finally:
        reader.close()


def export_pmtiles(source: Path, target: Path) -> Path:
    """Write the tileset at `source` as a PMTiles file at `target` (atomically)."""
    with atomic_path(target) as tmp, open(tmp, "wb") as handle:
        write_pmtiles(source, handle)
    return target

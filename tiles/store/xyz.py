"""A tileset as a static z/x/y tree of gzip tiles, for nginx (gzip_static) or a CDN.

Each tile is written once as `{z}/{x}/{y}.pbf.gz`; addresses that show identical bytes (open
sea, the inside of a big region) are hard links to that one file, so the tree costs little
more disk than the MBTiles file it comes from.
"""

from __future__ import annotations

import os
import shutil
from dataclasses import dataclass
from pathlib import Path

from tiles.store.mbtiles import MBTilesReader
from tiles.store.tile import Tile

SUFFIX = ".pbf.gz"


@dataclass(frozen=True, slots=True)
class XYZExport:
    """What one tileset's tree holds."""

    tiles: int
    files: int
    bytes: int


def tile_path(root: Path, tile: Tile) -> Path:
    """Where a tile lives in the tree."""
    return root / str(tile.z) / str(tile.x) / f"{tile.y}{SUFFIX}"


def link_or_copy(source: Path, target: Path) -> None:
    """Hard-link `target` to `source`, or copy it where the filesystem has no hard links."""
    try:
        os.link(source, target)
    except OSError:
        shutil.copyfile(source, target)


def export_xyz(source: Path, root: Path) -> XYZExport:
    """Write every tile of the MBTiles file at `source` under `root` (a fresh folder)."""
    reader = MBTilesReader(source)
    tiles = files = size = 0
    made: set[Path] = set()
    try:
        for data, addresses in reader.unique_tiles():
            first: Path | None = None
            for tile in addresses:
                target = tile_path(root, tile)
                if target.parent not in made:
                    target.parent.mkdir(parents=True, exist_ok=True)
                    made.add(target.parent)
                if first is None:
                    target.write_bytes(data)
                    first, files, size = target, files + 1, size + len(data)
                else:
                    link_or_copy(first, target)
                tiles += 1
    finally:
        reader.close()
    return XYZExport(tiles, files, size)

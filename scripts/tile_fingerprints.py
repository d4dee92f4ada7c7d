#!/usr/bin/env python3
"""Fingerprint every tile of built data directories, and compare two builds tile for tile.

Usage:
    scripts/tile-fingerprints DATA_DIR > before.txt      # print one line per tileset
    scripts/tile-fingerprints BEFORE AFTER_DIR           # compare; exit 1 on any difference

BEFORE is a data directory or a file the first form printed (so a large build can be
fingerprinted, then deleted, before the second build is made).

A tileset's fingerprint is a SHA-256 over every (z, x, y, tile bytes) and its metadata rows
(tests/fingerprints.py); the manifests are read through tiles.manifest, so a manifest either
side cannot read is an error, not a silent skip. Tile counts come from the MBTiles files.
"""

from __future__ import annotations

import sqlite3
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.fingerprints import tile_fingerprints  # noqa: E402
from tiles.manifest import MANIFEST, load_manifest  # noqa: E402


def tile_counts(data_dir: Path) -> dict[str, int]:
    """Tiles stored per tileset (from the MBTiles files the manifest lists)."""
    counts = {}
    for tileset_id, entry in load_manifest(data_dir / "tiles" / MANIFEST).items():
        uri = f"file:{data_dir / 'tiles' / entry.file}?mode=ro"
        with sqlite3.connect(uri, uri=True) as connection:
            counts[tileset_id] = int(connection.execute("SELECT count(*) FROM tiles").fetchone()[0])
    return counts


def fingerprints(source: Path) -> dict[str, str]:
    """A data directory's fingerprints, or those a file of 'digest  id' lines holds."""
    if source.is_dir():
        return tile_fingerprints(source)
    lines = source.read_text(encoding="utf-8").splitlines()
    return {tileset_id: digest for digest, tileset_id in (line.split() for line in lines)}


def compare(before: Path, after: Path) -> int:
    """Print the comparison of two builds; the number of differences."""
    old, new = fingerprints(before), tile_fingerprints(after)
    counts = tile_counts(after)
    same = sorted(k for k in old.keys() & new.keys() if old[k] == new[k])
    changed = sorted(k for k in old.keys() & new.keys() if old[k] != new[k])
    gone, added = sorted(old.keys() - new.keys()), sorted(new.keys() - old.keys())
    print(f"before: {before} ({len(old)} tilesets)")
    print(f"after:  {after} ({len(new)} tilesets, {sum(counts.values()):,} tiles)")
    print(
        f"identical: {len(same)} tilesets ({sum(counts[k] for k in same):,} tiles); "
        f"different: {len(changed)}; only before: {len(gone)}; only after: {len(added)}"
    )
    for label, ids in (("different", changed), ("only before", gone), ("only after", added)):
        for tileset_id in ids[:20]:
            print(f"  {label}: {tileset_id}")
    return len(changed) + len(gone) + len(added)


def main(argv: list[str]) -> int:
    """Fingerprint one data directory, or compare two."""
    if len(argv) == 2:
        for tileset_id, digest in sorted(tile_fingerprints(Path(argv[1])).items()):
            print(f"{digest}  {tileset_id}")
        return 0
    if len(argv) == 3:
        return 1 if compare(Path(argv[1]), Path(argv[2])) else 0
    print(__doc__, file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv))

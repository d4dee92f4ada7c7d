"""Fingerprints of built tilesets, to compare two builds tile for tile."""

from __future__ import annotations

import hashlib
import sqlite3
from pathlib import Path

from tiles.manifest import MANIFEST, load_manifest


def tile_fingerprints(data_dir: Path) -> dict[str, str]:
    """Per tileset id: a SHA-256 over every (z, x, y, tile bytes) and the metadata rows."""
    fingerprints = {}
    for entry in load_manifest(data_dir / "tiles" / MANIFEST).values():
        digest = hashlib.sha256()
        connection = sqlite3.connect(f"file:{data_dir / 'tiles' / entry.file}?mode=ro", uri=True)
        try:
            for row in connection.execute(
                "SELECT zoom_level, tile_column, tile_row, tile_data FROM tiles "
                "ORDER BY zoom_level, tile_column, tile_row"
            ):
                digest.update(repr(row[:3]).encode())
                digest.update(bytes(row[3]))
            for name, value in connection.execute("SELECT name, value FROM metadata ORDER BY 1"):
                digest.update(f"{name}={value}".encode())
        finally:
            connection.close()
        fingerprints[entry.id] = digest.hexdigest()
    return fingerprints

"""MBTiles 1.3 in SQLite: identical tiles stored once (map + images), written atomically."""

from __future__ import annotations

import contextlib
import os
import sqlite3
import tempfile
from collections.abc import Iterator
from pathlib import Path

from levelup.errors import StoreError
from tiles.store.tile import Tile

SCHEMA = """
CREATE TABLE metadata (name TEXT NOT NULL, value TEXT NOT NULL);
CREATE UNIQUE INDEX metadata_name ON metadata (name);
CREATE TABLE images (tile_id INTEGER PRIMARY KEY, tile_data BLOB NOT NULL);
CREATE TABLE map (zoom_level INTEGER NOT NULL, tile_column INTEGER NOT NULL,
                  tile_row INTEGER NOT NULL, tile_id INTEGER NOT NULL,
                  PRIMARY KEY (zoom_level, tile_column, tile_row)) WITHOUT ROWID;
CREATE VIEW tiles AS
    SELECT map.zoom_level AS zoom_level, map.tile_column AS tile_column,
           map.tile_row AS tile_row, images.tile_data AS tile_data
    FROM map JOIN images ON images.tile_id = map.tile_id;
"""


SQLITE_MAGIC = b"SQLite format 3\x00"


def check_file(path: Path) -> None:
    """StoreError unless `path` is a whole SQLite file, judged from its 100-byte header
    without opening it: the magic string, a valid page size, and a length of whole pages
    (exactly the page count the header records, when that count is current)."""
    try:
        fd = os.open(path, os.O_RDONLY)
        try:
            header, size = os.pread(fd, 100, 0), os.fstat(fd).st_size
        finally:
            os.close(fd)
    except FileNotFoundError:
        raise StoreError(f"{path}: no such tileset file") from None
    except OSError as exc:
        raise StoreError(f"{path}: not a readable MBTiles file ({exc})") from exc
    if len(header) < 100 or not header.startswith(SQLITE_MAGIC):
        raise StoreError(f"{path}: not a readable MBTiles file (not SQLite)")
    page = int.from_bytes(header[16:18], "big")
    page = 65536 if page == 1 else page
    if page < 512 or page & (page - 1):
        raise StoreError(f"{path}: not a readable MBTiles file (page size {page})")
    pages = int.from_bytes(header[28:32], "big")
    current = pages > 0 and header[24:28] == header[92:96]  # SQLite's rule for the count
    if size % page or (current and size != pages * page):
        raise StoreError(f"{path}: not a readable MBTiles file (truncated at {size} bytes)")


class MBTilesWriter:
    """Write one tileset to a temporary file; `finalize` renames it over the target.

    Until then the previous file at `path` (if any) stays complete and readable, and a
    crash leaves only a temporary file behind, never a half-written tileset.
    """

    def __init__(self, path: Path) -> None:
        self.path = path
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
        os.close(fd)
        self.tmp = Path(name)
        self.tmp.unlink()
        self.connection = sqlite3.connect(self.tmp)
        self.connection.execute("PRAGMA journal_mode = OFF")
        self.connection.execute("PRAGMA synchronous = OFF")
        self.connection.executescript(SCHEMA)
        self.images: dict[bytes, int] = {}
        self.map: list[tuple[int, int, int, int]] = []
        self.bytes_written = 0

    def put(self, tile: Tile, data: bytes) -> None:
        """Queue a tile; identical bytes share one image row (exact comparison, no hashing)."""
        tile_id = self.images.get(data)
        if tile_id is None:
            tile_id = self.images[data] = len(self.images) + 1
            self.bytes_written += len(data)
        self.map.append((tile.z, tile.x, tile.tms_y, tile_id))

    def finalize(self, metadata: dict[str, str]) -> None:
        """Write tiles and metadata, then atomically replace the target file."""
        try:
            with self.connection:
                self.connection.executemany(
                    "INSERT INTO images VALUES (?, ?)", [(i, d) for d, i in self.images.items()]
                )
                self.connection.executemany("INSERT INTO map VALUES (?, ?, ?, ?)", self.map)
                self.connection.executemany(
                    "INSERT INTO metadata VALUES (?, ?)", sorted(metadata.items())
                )
            self.connection.close()
            os.replace(self.tmp, self.path)
        finally:
            self.abort()

    def abort(self) -> None:
        """Drop the temporary file (nothing happens to the target)."""
        with contextlib.suppress(sqlite3.Error):
            self.connection.close()
        self.tmp.unlink(missing_ok=True)

    @property
    def tile_count(self) -> int:
        """Tiles addressed so far."""
        return len(self.map)

    @property
    def unique_count(self) -> int:
        """Distinct tile images so far."""
        return len(self.images)


class MBTilesReader:
    """Read tiles and metadata from an MBTiles file (read-only, one connection)."""

    def __init__(self, path: Path) -> None:
        if not path.is_file():
            raise StoreError(f"{path}: no such tileset file")
        self.path = path
        try:
            self.connection = sqlite3.connect(
                f"file:{path}?mode=ro&immutable=1", uri=True, check_same_thread=False
            )
            self.connection.execute("SELECT 1 FROM metadata LIMIT 1").fetchall()
        except sqlite3.DatabaseError as exc:
            raise StoreError(f"{path}: not a readable MBTiles file ({exc})") from exc

    def get(self, tile: Tile) -> bytes | None:
        """The stored bytes of a tile (gzip), or None."""
        row = self.connection.execute(
            "SELECT tile_data FROM tiles WHERE zoom_level=? AND tile_column=? AND tile_row=?",
            (tile.z, tile.x, tile.tms_y),
        ).fetchone()
        return bytes(row[0]) if row else None

    def metadata(self) -> dict[str, str]:
        """All metadata rows."""
        return dict(self.connection.execute("SELECT name, value FROM metadata"))

    def tiles(self) -> list[Tile]:
        """Every stored tile address."""
        rows = self.connection.execute("SELECT zoom_level, tile_column, tile_row FROM map")
        return sorted(Tile(z, x, (1 << z) - 1 - row) for z, x, row in rows)

    def unique_tiles(self) -> Iterator[tuple[bytes, list[Tile]]]:
        """Each distinct tile's bytes with every address that shows it."""
        where: dict[int, list[Tile]] = {}
        rows = self.connection.execute("SELECT zoom_level, tile_column, tile_row, tile_id FROM map")
        for z, x, row, tile_id in rows:
            where.setdefault(tile_id, []).append(Tile(z, x, (1 << z) - 1 - row))
        for tile_id, data in self.connection.execute("SELECT tile_id, tile_data FROM images"):
            if tile_id in where:
                yield bytes(data), sorted(where[tile_id])

    def close(self) -> None:
        """Close the connection."""
        self.connection.close()

"""A read-only snapshot of one build: manifest, joined-data database and MBTiles readers."""

from __future__ import annotations

import os
import sqlite3
import threading
import time
from collections import OrderedDict
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import TYPE_CHECKING, Any

from levelup import db
from levelup.errors import NotFoundError, StoreError
from server.bodies import BodyCache
from tiles.context_file import context_file
from tiles.entry import TilesetEntry
from tiles.manifest import MANIFEST, load_manifest
from tiles.store.mbtiles import MBTilesReader, check_file
from tiles.tilemath import Tile

if TYPE_CHECKING:
    from server.responses import Body

CONTEXT = "context"


@dataclass(frozen=True, slots=True)
class Tileset(TilesetEntry):
    """One built tileset as the manifest lists it, with the path of its MBTiles file."""

    path: Path = field(kw_only=True)

    @property
    def digest(self) -> str:
        """The digest of what determines the tiles' bytes (named `hash` in the manifest)."""
        return self.hash

    @classmethod
    def from_entry(cls, entry: TilesetEntry, tiles_dir: Path) -> Tileset:
        """The entry with its file's path; the file must sit directly in the tiles directory."""
        file = Path(entry.file)
        if file.name != entry.file or file.suffix != ".mbtiles":
            raise StoreError(f"manifest entry {entry.id!r} names an odd file {file}")
        return cls(**{name: getattr(entry, name) for name in _ENTRY_FIELDS}, path=tiles_dir / file)


_ENTRY_FIELDS = tuple(f.name for f in fields(TilesetEntry))


def _mtime(path: Path) -> float:
    try:
        return os.stat(path).st_mtime
    except OSError:
        return 0.0


class Catalog:
    """Everything one build wrote, opened read-only and checked at start-up."""

    def __init__(
        self,
        data_dir: Path,
        *,
        open_limit: int = 256,
        cache_tiles: int = 20000,
    ) -> None:
        self.data_dir = data_dir
        self.tiles_dir = data_dir / "tiles"
        self.manifest_path = self.tiles_dir / MANIFEST
        # Last-Modified of everything made from this build (taken before reading it)
        self.modified = int(max(_mtime(self.manifest_path), _mtime(db.db_path(data_dir))))
        self.db = db.open_readonly(db.db_path(data_dir))
        self.db.row_factory = sqlite3.Row
        self.meta = db.read_meta(self.db)
        self.tilesets = self._load_manifest()
        self._check_files()
        self.context = self._load_context()
        self._readers: OrderedDict[str, MBTilesReader] = OrderedDict()
        self._open_limit = open_limit
        self._tiles: OrderedDict[tuple[str, int, int, int], tuple[bytes, int] | None] = (
            OrderedDict()
        )
        self._cache_tiles = cache_tiles
        # finished bodies of this build (JSON, extracts, downloads made in memory) by URL
        self.responses: BodyCache[Body] = BodyCache(budget=192 << 20, largest=96 << 20)

    def _load_manifest(self) -> dict[str, Tileset]:
        entries = load_manifest(self.manifest_path)
        return {i: Tileset.from_entry(e, self.tiles_dir) for i, e in entries.items()}

    def _check_files(self) -> None:
        """Check every listed tileset file from its header: a missing, truncated or non-SQLite
        file stops start-up or a reload (damage inside a whole file shows when a tile is read);
        thousands take a fraction of a second."""
        problems = []
        for tileset in self.tilesets.values():
            try:
                check_file(tileset.path)
            except StoreError as exc:
                problems.append(str(exc))
        if problems:
            shown = "; ".join(problems[:5]) + (
                f" (+{len(problems) - 5} more)" if len(problems) > 5 else ""
            )
            raise StoreError(
                f"{len(problems)} tileset file(s) unusable: {shown}; "
                "run 'levelup build' to rebuild them"
            )

    def _load_context(self) -> Tileset | None:
        """The context tiles (land, borders, place names) as a tileset named 'context'."""
        found = context_file(self.data_dir)
        if found is None:
            return None
        path, description = found
        zooms = (int(str(description["minzoom"])), int(str(description["maxzoom"])))
        return Tileset(
            id=CONTEXT, indicator="", variant="", level="", year=0, geometry="", set_id="",
            file=path.name, path=path, minzoom=zooms[0], maxzoom=zooms[1],
            bounds=(-180.0, -85.0, 180.0, 85.0), center=(0.0, 0.0, 0.0), fields={}, breaks=(),
            country_breaks=(), name="Context", title="Context", variant_label="",
            level_label="", unit="", polarity="", decimals=0, period="",
            attribution=str(description["attribution"]), description="", hash=path.stem,
            valued=0, tiles=0, unique_tiles=0, bytes=0, features=0,
        )  # fmt: skip

    def tileset(self, tileset_id: str) -> Tileset:
        """A tileset by id (or 'context'), or NotFoundError."""
        if tileset_id == CONTEXT and self.context is not None:
            return self.context
        try:
            return self.tilesets[tileset_id]
        except KeyError:
            raise NotFoundError(f"unknown tileset {tileset_id!r}") from None

    def reader(self, tileset: Tileset) -> MBTilesReader:
        """An open reader for a tileset (a bounded number stay open)."""
        reader = self._readers.get(tileset.id)
        if reader is None:
            reader = self._readers[tileset.id] = MBTilesReader(tileset.path)
            if len(self._readers) > self._open_limit:
                self._readers.popitem(last=False)[1].close()
        else:
            self._readers.move_to_end(tileset.id)
        return reader

    def tile(self, tileset: Tileset, tile: Tile) -> tuple[bytes, int] | None:
        """(gzip bytes, image id) of a tile, or None for an empty tile; cached in memory."""
        key = (tileset.id, tile.z, tile.x, tile.y)
        if key in self._tiles:
            self._tiles.move_to_end(key)
            return self._tiles[key]
        row = (
            self.reader(tileset)
            .connection.execute(
                "SELECT map.tile_id, images.tile_data FROM map JOIN images "
                "ON images.tile_id = map.tile_id "
                "WHERE zoom_level = ? AND tile_column = ? AND tile_row = ?",
                (tile.z, tile.x, tile.tms_y),
            )
            .fetchone()
        )
        found = (bytes(row[1]), int(row[0])) if row else None
        if self._cache_tiles:
            self._tiles[key] = found
            if len(self._tiles) > self._cache_tiles:
                self._tiles.popitem(last=False)
        return found

    def rows(self, sql: str, *params: object) -> list[dict[str, Any]]:
        """Run a read-only query on the joined data."""
        return [dict(r) for r in self.db.execute(sql, params).fetchall()]


class DataStore:
    """Holds the current Catalog and swaps in a new one when a newer build appears."""

    def __init__(
        self, data_dir: Path, *, reload_interval: float = 2.0, cache_tiles: int = 20000
    ) -> None:
        self.data_dir = data_dir
        self.reload_interval = reload_interval
        self.cache_tiles = cache_tiles
        self.catalog = Catalog(data_dir, cache_tiles=cache_tiles)
        self._stamp = self._current_stamp()
        self._checked = time.monotonic()
        self._swap = threading.Lock()
        self._loading: threading.Thread | None = None
        self._started = self._swapped = 0  # loads begun, and the latest swapped in

    def _current_stamp(self) -> tuple[int, int]:
        def stamp(path: Path) -> int:
            try:
                return os.stat(path).st_mtime_ns
            except OSError:
                return 0

        return (stamp(self.data_dir / "tiles" / MANIFEST), stamp(db.db_path(self.data_dir)))

    def refresh(self) -> None:
        """Load a newer build now, before answering again (after this server wrote one)."""
        stamp = self._current_stamp()
        if stamp != self._stamp:
            self._load(stamp)
        self._checked = time.monotonic()

    def current(self) -> Catalog:
        """The catalog to answer with; checks for a newer build at most every interval.

        A newer build is loaded in a thread while the current one goes on answering (loading
        thousands of tilesets takes a second), and swapped in when ready; with an interval
        of 0 (always the newest) it is loaded before answering.
        """
        now = time.monotonic()
        if now - self._checked >= self.reload_interval:
            self._checked = now
            stamp = self._current_stamp()
            if stamp != self._stamp:
                if self.reload_interval == 0:
                    self._load(stamp)
                elif self._loading is None or not self._loading.is_alive():
                    self._loading = threading.Thread(target=self._load, args=(stamp,), daemon=True)
                    self._loading.start()
        return self.catalog

    def _load(self, stamp: tuple[int, int]) -> None:
        with self._swap:
            self._started += 1
            ticket = self._started
        try:
            catalog = Catalog(self.data_dir, cache_tiles=self.cache_tiles)
        except StoreError:
            return  # a build in progress or broken: keep serving the previous one
        with self._swap:
            if ticket > self._swapped:  # a load begun earlier never replaces a later one
                self.catalog, self._stamp, self._swapped = catalog, stamp, ticket

"""A read-only snapshot of one build: manifest, joined-data database and MBTiles readers."""

from __future__ import annotations

import json
import os
import sqlite3
import time
from collections import OrderedDict
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from levelup import db
from levelup.errors import NotFoundError, StoreError
from server.bodies import BodyCache
from tiles.context_file import context_file
from tiles.store.mbtiles import MBTilesReader
from tiles.tilemath import Tile

if TYPE_CHECKING:
    from server.responses import Body

MANIFEST = "manifest.json"
CONTEXT = "context"


@dataclass(frozen=True, slots=True)
class Tileset:
    """One built tileset as listed in the manifest."""

    id: str
    indicator: str
    variant: str
    level: str
    year: int
    set_id: str
    path: Path
    minzoom: int
    maxzoom: int
    bounds: tuple[float, float, float, float]
    center: tuple[float, float, float]
    fields: dict[str, str]
    breaks: tuple[float, ...]
    name: str
    title: str
    variant_label: str
    level_label: str
    unit: str
    polarity: str
    decimals: int
    period: str
    attribution: str
    description: str
    digest: str
    valued: int
    geometry: str = ""  # "hex": the same data on a hex cartogram (boundaries/hex.py)
    layout: str = ""
    missing: tuple[tuple[str, str, str], ...] = ()  # hex: areas with a value but no hex
    country_breaks: tuple[float, ...] = ()

    @property
    def twin(self) -> str:
        """The id of the same data in the other geometry (map <-> hex)."""
        return self.id.removesuffix(".hex") if self.geometry else f"{self.id}.hex"

    @classmethod
    def from_entry(cls, entry: dict[str, Any], tiles_dir: Path) -> Tileset:
        """Build from a manifest entry; the file must sit directly in the tiles directory."""
        file = Path(entry["file"])
        if file.name != entry["file"] or file.suffix != ".mbtiles":
            raise StoreError(f"manifest entry {entry.get('id')!r} names an odd file {file}")
        return cls(
            id=entry["id"],
            indicator=entry["indicator"],
            variant=entry["variant"],
            level=entry["level"],
            year=int(entry["year"]),
            set_id=entry["set_id"],
            path=tiles_dir / file,
            minzoom=int(entry["minzoom"]),
            maxzoom=int(entry["maxzoom"]),
            bounds=tuple(entry["bounds"]),
            center=tuple(entry["center"]),
            fields=dict(entry["fields"]),
            breaks=tuple(entry["breaks"]),
            name=entry["name"],
            title=entry["title"],
            variant_label=entry["variant_label"],
            level_label=entry["level_label"],
            unit=entry["unit"],
            polarity=entry["polarity"],
            decimals=int(entry["decimals"]),
            period=entry["period"],
            attribution=entry["attribution"],
            description=entry["description"],
            digest=entry["hash"],
            valued=int(entry.get("valued", 0)),
            geometry=str(entry.get("geometry", "")),
            layout=str(entry.get("layout", "")),
            missing=tuple((str(c), str(n), str(w)) for c, n, w in entry.get("missing", ())),
            country_breaks=tuple(entry.get("country_breaks", ())),
        )


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
        open_files: bool = True,
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
        self._check_files(open_files)
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
        if not self.manifest_path.is_file():
            raise StoreError(f"{self.manifest_path}: no tiles built yet; run 'levelup build'")
        try:
            entries = json.loads(self.manifest_path.read_text(encoding="utf-8"))["tilesets"]
            return {e["id"]: Tileset.from_entry(e, self.tiles_dir) for e in entries}
        except (ValueError, KeyError, TypeError) as exc:
            raise StoreError(
                f"{self.manifest_path}: not a readable tiles manifest ({exc})"
            ) from exc

    def _check_files(self, open_files: bool) -> None:
        """Open every tileset once (at start-up: a missing, truncated or corrupt file stops it),
        or only check each listed file is there (a newer build while serving, which may list
        thousands)."""
        problems = []
        for tileset in self.tilesets.values():
            if not open_files:
                if not tileset.path.is_file():
                    problems.append(f"{tileset.path}: no such tileset file")
                continue
            try:
                reader = MBTilesReader(tileset.path)
                reader.connection.execute("SELECT count(*) FROM map").fetchone()
                reader.close()
            except (StoreError, sqlite3.DatabaseError) as exc:
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
            id=CONTEXT, indicator="", variant="", level="", year=0, set_id="", path=path,
            minzoom=zooms[0], maxzoom=zooms[1], bounds=(-180.0, -85.0, 180.0, 85.0),
            center=(0.0, 0.0, 0.0), fields={}, breaks=(), name="Context", title="Context",
            variant_label="", level_label="", unit="", polarity="", decimals=0, period="",
            attribution=str(description["attribution"]), description="", digest=path.stem,
            valued=0,
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

    def _current_stamp(self) -> tuple[int, int]:
        def stamp(path: Path) -> int:
            try:
                return os.stat(path).st_mtime_ns
            except OSError:
                return 0

        return (stamp(self.data_dir / "tiles" / MANIFEST), stamp(db.db_path(self.data_dir)))

    def refresh(self) -> None:
        """Check for a newer build now (after this server wrote one)."""
        self._checked = time.monotonic() - self.reload_interval - 1

    def current(self) -> Catalog:
        """The catalog to answer with; checks for a newer build at most every interval."""
        now = time.monotonic()
        if now - self._checked >= self.reload_interval:
            self._checked = now
            stamp = self._current_stamp()
            if stamp != self._stamp:
                try:
                    self.catalog = Catalog(
                        self.data_dir, cache_tiles=self.cache_tiles, open_files=False
                    )
                    self._stamp = stamp
                except StoreError:
                    pass  # a build in progress or broken: keep serving the previous one
        return self.catalog

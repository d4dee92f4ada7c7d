"""An in-memory tile store (tests, and a reference for the seam)."""

from __future__ import annotations

from tiles.store.tile import Tile


class MemoryStore:
    """Keeps tiles and metadata in dictionaries; implements TileWriter and TileReader."""

    def __init__(self) -> None:
        self.tiles: dict[Tile, bytes] = {}
        self.meta: dict[str, str] = {}
        self.finalized = False

    def put(self, tile: Tile, data: bytes) -> None:
        """Store a tile."""
        self.tiles[tile] = data

    def finalize(self, metadata: dict[str, str]) -> None:
        """Store metadata and mark the tileset complete."""
        self.meta = dict(metadata)
        self.finalized = True

    def get(self, tile: Tile) -> bytes | None:
        """A stored tile or None."""
        return self.tiles.get(tile)

    def metadata(self) -> dict[str, str]:
        """The stored metadata."""
        return dict(self.meta)

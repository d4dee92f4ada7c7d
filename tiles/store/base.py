"""The storage seam: writers take tiles then metadata; readers give tiles and metadata back."""

from __future__ import annotations

from typing import Protocol

from tiles.store.tile import Tile


class TileWriter(Protocol):
    """Receives gzip-compressed tiles, then the tileset's metadata once at the end."""

    def put(self, tile: Tile, data: bytes) -> None:
        """Store one tile's (compressed) bytes; empty tiles are never passed."""

    def finalize(self, metadata: dict[str, str]) -> None:
        """Write metadata and make the tileset visible (atomically)."""


class TileReader(Protocol):
    """Gives back stored tiles and metadata."""

    def get(self, tile: Tile) -> bytes | None:
        """The stored (compressed) bytes of a tile, or None when there is none."""

    def metadata(self) -> dict[str, str]:
        """The tileset's metadata."""

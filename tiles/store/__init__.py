"""Tile storage behind a small seam: put tiles, finalize metadata, get tiles back."""

from tiles.store.base import TileReader, TileWriter
from tiles.store.mbtiles import MBTilesReader, MBTilesWriter
from tiles.store.memory import MemoryStore

__all__ = ["MBTilesReader", "MBTilesWriter", "MemoryStore", "TileReader", "TileWriter"]

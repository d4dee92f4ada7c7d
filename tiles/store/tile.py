"""A tile's address: what every store keys tiles by, and what the tile maths works on."""

from __future__ import annotations

from typing import NamedTuple

MAX_ZOOM = 24


class Tile(NamedTuple):
    """An XYZ tile (y counted from the north, as in URLs)."""

    z: int
    x: int
    y: int

    @property
    def tms_y(self) -> int:
        """Row as MBTiles stores it (counted from the south)."""
        return (1 << self.z) - 1 - self.y

    def is_valid(self) -> bool:
        """True when x and y lie inside the 2^z × 2^z grid."""
        size = 1 << self.z
        return 0 <= self.z <= MAX_ZOOM and 0 <= self.x < size and 0 <= self.y < size

    def parent(self) -> Tile:
        """The tile one zoom level up that contains this one."""
        return Tile(self.z - 1, self.x >> 1, self.y >> 1)

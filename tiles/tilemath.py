"""Pure tile maths on the Web Mercator grid (mercantile underneath): no I/O, no geometry library."""

from __future__ import annotations

import math
from collections.abc import Iterator

import mercantile

from tiles.store.tile import MAX_ZOOM, Tile

EARTH_CIRCUMFERENCE = 2 * math.pi * 6378137.0
ORIGIN = EARTH_CIRCUMFERENCE / 2
MAX_LATITUDE = 85.0511287798066


def tile_size_m(z: int) -> float:
    """Width of a tile at zoom z in Web Mercator metres."""
    return EARTH_CIRCUMFERENCE / (1 << z)


def mercator_bounds(tile: Tile) -> tuple[float, float, float, float]:
    """(minx, miny, maxx, maxy) of a tile in EPSG:3857 metres."""
    size = tile_size_m(tile.z)
    minx = -ORIGIN + tile.x * size
    maxy = ORIGIN - tile.y * size
    return minx, maxy - size, minx + size, maxy


def lnglat_bounds(tile: Tile) -> tuple[float, float, float, float]:
    """(west, south, east, north) of a tile in degrees."""
    west, south, east, north = mercantile.bounds(tile.x, tile.y, tile.z)
    return west, south, east, north


def tiles_covering(west: float, south: float, east: float, north: float, z: int) -> Iterator[Tile]:
    """Every tile at zoom z that overlaps a longitude/latitude box."""
    south, north = max(south, -MAX_LATITUDE), min(north, MAX_LATITUDE)
    for t in mercantile.tiles(west, south, east, north, [z]):
        yield Tile(t.z, t.x, t.y)


def maxzoom_for_detail(segment_m: float, latitude: float, min_pixels: float = 8.0) -> int:
    """Deepest useful zoom for geometry whose median segment is `segment_m` ground metres.

    That is the zoom where a typical segment spans `min_pixels` pixels of a 256-pixel tile:
    there the tile grid (1/4096 of a tile) and the simplification tolerance are already far
    finer than the source's own generalisation, so deeper tiles would only magnify straight
    lines, and clients overzoom the deepest tiles with no visible change. With 8 pixels this
    gives z9 for ONS ultra-generalised (BUC) districts (a 45 m tolerance on a 500 m
    generalisation) and z6 for the GISCO 1:20 million NUTS regions.
    """
    ground_tile = EARTH_CIRCUMFERENCE * math.cos(math.radians(latitude))
    zoom = math.log2(ground_tile * min_pixels / (256.0 * segment_m))
    return max(0, min(MAX_ZOOM, round(zoom)))

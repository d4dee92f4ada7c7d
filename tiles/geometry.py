"""Geometry for tiles: per-zoom coverage simplification, clipping and snapping to the tile grid.

Simplifying the whole boundary set at once with `shapely.coverage_simplify` moves every
shared edge the same way for both neighbours, so no gaps or slivers open between areas.
Clipping is done with a buffer round each tile so outlines do not show seams, and
`shapely.set_precision(..., grid_size=1)` snap-rounds to integer tile coordinates while
keeping polygons valid. Exterior rings then get the winding the MVT spec requires.
"""

from __future__ import annotations

import numpy as np
import shapely

from tiles.tilemath import EARTH_CIRCUMFERENCE, MAX_LATITUDE, Tile, mercator_bounds, tile_size_m

SIMPLIFY_UNITS = 4.0  # coverage_simplify tolerance in tile units (half a pixel of a 512-px tile)
RADIUS = 6378137.0


def to_mercator(geometries: np.ndarray) -> np.ndarray:
    """Project EPSG:4326 geometries to EPSG:3857 (latitudes clamped to the Mercator limit)."""

    def project(coords: np.ndarray) -> np.ndarray:
        lon = np.radians(coords[:, 0])
        lat = np.radians(np.clip(coords[:, 1], -MAX_LATITUDE, MAX_LATITUDE))
        return np.column_stack([RADIUS * lon, RADIUS * np.log(np.tan(np.pi / 4 + lat / 2))])

    projected: np.ndarray = shapely.transform(geometries, project)
    return projected


def median_segment_m(geometries: np.ndarray) -> tuple[float, float]:
    """Median segment length on the ground (metres) and median latitude of the vertices."""
    coords, index = shapely.get_coordinates(shapely.boundary(geometries), return_index=True)
    if len(coords) < 2:
        return EARTH_CIRCUMFERENCE, 0.0
    mercator = shapely.get_coordinates(to_mercator(shapely.points(coords)))
    same = index[1:] == index[:-1]
    lengths = np.hypot(*np.diff(mercator, axis=0).T)[same]
    latitudes = coords[1:, 1][same]
    ground = lengths * np.cos(np.radians(latitudes))
    ground = ground[ground > 0]
    return float(np.median(ground)), float(np.median(coords[:, 1]))


def simplify_for_zoom(mercator: np.ndarray, z: int, extent: int) -> np.ndarray:
    """Simplify a clean coverage for zoom z, keeping shared edges shared."""
    tolerance = SIMPLIFY_UNITS * tile_size_m(z) / extent
    simplified: np.ndarray = shapely.coverage_simplify(mercator, tolerance, simplify_boundary=True)
    return simplified


def _tile_boxes(tiles: list[Tile], margin: float) -> tuple[np.ndarray, np.ndarray]:
    bounds = np.array([mercator_bounds(t) for t in tiles], dtype=float)
    pad = (
        np.array([-margin, -margin, margin, margin])[None, :]
        * (np.array([tile_size_m(t.z) for t in tiles])[:, None])
    )
    buffered = bounds + pad
    return bounds, buffered


def _to_tile_coords(geometries: np.ndarray, bounds: np.ndarray, extent: int) -> np.ndarray:
    """Affine map from Mercator metres to tile units (y down), one tile's bounds per geometry."""
    coords, index = shapely.get_coordinates(geometries, return_index=True)
    minx, maxy = bounds[index, 0], bounds[index, 3]
    scale = extent / (bounds[index, 2] - bounds[index, 0])
    out = np.column_stack([(coords[:, 0] - minx) * scale, (maxy - coords[:, 1]) * scale])
    moved: np.ndarray = shapely.set_coordinates(shapely.force_2d(geometries.copy()), out)
    return moved


def _placeholder(geometry: shapely.Geometry, low: float, high: float) -> shapely.Polygon:
    """A 1-unit square where a sub-unit feature collapsed, so it is never dropped."""
    point = shapely.point_on_surface(geometry)
    x = float(np.clip(np.floor(point.x), low, high - 1))
    y = float(np.clip(np.floor(point.y), low, high - 1))
    return shapely.box(x, y, x + 1, y + 1, ccw=True)


def polygonal(geometry: shapely.Geometry) -> shapely.Geometry:
    """Only the polygon parts of a geometry (snap-rounding can leave lines behind)."""
    if geometry.geom_type in ("Polygon", "MultiPolygon"):
        return geometry
    parts = [p for p in shapely.get_parts(geometry) if p.geom_type in ("Polygon", "MultiPolygon")]
    return shapely.union_all(parts) if parts else shapely.Polygon()


def quantise(local: np.ndarray, extent: int, buffer: int) -> np.ndarray:
    """Round tile-unit geometries to the integer grid, keeping every one valid and non-empty.

    Plain rounding is exact for almost all geometries; the few it makes invalid are
    snap-rounded instead (`set_precision`, which nodes and keeps polygons valid). A feature
    whose part collapses below one unit becomes a 1-unit square: never dropped.
    """
    rounded = shapely.transform(local, np.rint)
    bad = ~shapely.is_valid(rounded) | shapely.is_empty(rounded)
    if bad.any():
        snapped = shapely.set_precision(local[bad], 1.0, mode="valid_output")
        rounded[bad] = [polygonal(g) for g in snapped]
    collapsed = np.flatnonzero(shapely.is_empty(rounded) | (shapely.area(rounded) <= 0))
    for i in collapsed:
        rounded[i] = _placeholder(local[i], -buffer, extent + buffer)
    oriented: np.ndarray = shapely.orient_polygons(rounded, exterior_cw=False)
    return oriented


def cut_zoom(
    mercator: np.ndarray, tiles: list[Tile], extent: int, buffer: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Clip every feature to every tile it touches at one zoom, in integer tile units.

    Returns (tile index, feature index, geometry) per tile-feature pair, ordered by tile
    then feature. Geometries are valid, y points down, and exterior rings have positive area
    (clockwise on screen) as MVT requires.
    """
    empty = np.zeros(0, dtype=np.int64)
    if not tiles:
        return empty, empty, np.zeros(0, dtype=object)
    bounds, buffered = _tile_boxes(tiles, buffer / extent)
    tree = shapely.STRtree(mercator)
    tile_idx, geom_idx = tree.query(shapely.box(*buffered.T), predicate="intersects")
    order = np.lexsort((geom_idx, tile_idx))
    tile_idx, geom_idx = tile_idx[order], geom_idx[order]
    clipped = np.empty(len(tile_idx), dtype=object)
    starts = np.flatnonzero(np.r_[True, np.diff(tile_idx) != 0])
    ends = np.r_[starts[1:], len(tile_idx)]
    for start, end in zip(starts, ends, strict=True):
        x0, y0, x1, y1 = buffered[tile_idx[start]]
        clipped[start:end] = shapely.clip_by_rect(mercator[geom_idx[start:end]], x0, y0, x1, y1)
    present = ~shapely.is_empty(clipped)
    tile_idx, geom_idx, clipped = tile_idx[present], geom_idx[present], clipped[present]
    if len(clipped) == 0:
        return empty, empty, np.zeros(0, dtype=object)
    local = _to_tile_coords(clipped, bounds[tile_idx], extent)
    return tile_idx, geom_idx, quantise(local, extent, buffer)


def ring_arrays(geometries: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(points without closing point, points per ring, geometry index per ring), in order."""
    parts, part_geometry = shapely.get_parts(geometries, return_index=True)
    rings, ring_part = shapely.get_rings(parts, return_index=True)
    coords, coord_ring = shapely.get_coordinates(rings, return_index=True)
    counts = np.bincount(coord_ring, minlength=len(rings))
    closing = np.cumsum(counts) - 1
    keep = np.ones(len(coords), dtype=bool)
    keep[closing[counts > 0]] = False
    return (
        np.rint(coords[keep]).astype(np.int64),
        np.maximum(counts - 1, 0),
        part_geometry[ring_part],
    )

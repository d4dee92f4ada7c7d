"""Cut a boundary set into a geometry pyramid: simplify, clip, quantise and encode per tile."""

from __future__ import annotations

from concurrent.futures import Future, ThreadPoolExecutor

import numpy as np
from tqdm import tqdm

from boundaries.areas import Areas
from tiles.geometry import cut_zoom, median_segment_m, ring_arrays, simplify_for_zoom, to_mercator
from tiles.mvt import EXTENT, EncodedFeature, encode_polygons
from tiles.pyramid import GeometryPyramid, PyramidInfo
from tiles.tilemath import Tile, maxzoom_for_detail, tiles_covering

BUFFER = 64  # tile units of clip buffer round each tile (1/64 of a tile)


def choose_maxzoom(areas: Areas, override: int | None = None) -> int:
    """Max zoom from the geometry's own detail (median segment length), unless overridden."""
    if override is not None:
        return override
    segment, latitude = median_segment_m(areas.geometry)
    return maxzoom_for_detail(segment, latitude)


def build_pyramid(
    areas: Areas,
    *,
    maxzoom: int,
    detail: Areas | None = None,
    detail_from: int | None = None,
    extent: int = EXTENT,
    buffer: int = BUFFER,
    progress: bool = False,
) -> GeometryPyramid:
    """Simplify, clip, quantise and encode a boundary set's areas for z0..maxzoom.

    Feature ids are row positions in `areas` (sorted by code). Finer `detail` areas with
    the same codes replace the geometry from zoom `detail_from` upward.
    """
    codes = areas.codes
    if detail is not None and detail.codes != codes:
        raise ValueError("detail geometry must have exactly the same codes in the same order")
    west, south, east, north = areas.bounds
    center_zoom = max(0, min(maxzoom, 5))
    info = PyramidInfo(
        set_id=areas.set_id,
        minzoom=0,
        maxzoom=maxzoom,
        bounds=(west, south, east, north),
        center=((west + east) / 2, (south + north) / 2, center_zoom),
        codes=codes,
        names=areas.names,
    )
    pyramid = GeometryPyramid(info)
    base = to_mercator(areas.geometry)
    fine = to_mercator(detail.geometry) if detail is not None else None
    # Deepest zoom first: each zoom is simplified from the next finer one, which is cheaper
    # than starting from the source every time and keeps the levels nested. Each zoom is cut
    # in a second thread while the next is simplified (GEOS runs without the GIL); the tiles
    # are taken in the same order either way.
    previous: dict[bool, np.ndarray] = {}
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="cut") as cutter:
        pending: Future[dict[Tile, tuple[EncodedFeature, ...]]] | None = None
        for z in tqdm(range(maxzoom, -1, -1), desc=f"geometry {info.set_id}", disable=not progress):
            use_fine = fine is not None and detail_from is not None and z >= detail_from
            start = fine if use_fine and fine is not None else base
            source = previous.get(use_fine, start)
            simplified = simplify_for_zoom(source, z, extent)
            previous[use_fine] = simplified
            candidates = list(tiles_covering(west, south, east, north, z))
            if pending is not None:  # one zoom in flight at most: memory stays one zoom's
                pyramid.tiles.update(pending.result())
            pending = cutter.submit(_cut_tiles, simplified, candidates, extent, buffer)
        if pending is not None:
            pyramid.tiles.update(pending.result())
    return pyramid


def _cut_tiles(
    simplified: np.ndarray, candidates: list[Tile], extent: int, buffer: int
) -> dict[Tile, tuple[EncodedFeature, ...]]:
    """One zoom's tiles: the encoded features of each tile the simplified areas touch."""
    tile_idx, fids, geometries = cut_zoom(simplified, candidates, extent, buffer)
    coords, ring_lengths, ring_feature = ring_arrays(geometries)
    encoded = encode_polygons(coords, ring_lengths, ring_feature, len(geometries))
    firsts: np.ndarray = np.flatnonzero(np.r_[True, np.diff(tile_idx) != 0])
    if not len(tile_idx):
        firsts = np.zeros(0, dtype=np.int64)
    return {
        candidates[tile_idx[first]]: tuple(
            EncodedFeature.of(int(fids[i]), encoded[i]) for i in range(first, last)
        )
        for first, last in zip(firsts, np.r_[firsts[1:], len(tile_idx)], strict=True)
    }

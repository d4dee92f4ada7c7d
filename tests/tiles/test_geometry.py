import numpy as np
import shapely
from shapely.geometry import box

from tiles.geometry import cut_zoom, quantise, ring_arrays, simplify_for_zoom, to_mercator
from tiles.tilemath import Tile, mercator_bounds


def test_quantise_keeps_geometry_valid_and_exterior_clockwise_on_screen() -> None:
    bow = shapely.Polygon([(0.2, 0.2), (10.4, 10.6), (10.2, 0.1), (0.3, 10.2)]).buffer(0)
    sliver = shapely.Polygon([(0, 0), (100, 0.3), (100, 0.4), (0, 0.1)])
    out = quantise(np.array([bow, sliver, box(1.2, 1.2, 50.7, 50.4)], dtype=object), 4096, 64)
    assert shapely.is_valid(out).all() and (shapely.area(out) > 0).all()
    assert (shapely.get_coordinates(out) == np.rint(shapely.get_coordinates(out))).all()
    for geometry in out:
        for part in shapely.get_parts(geometry):
            assert part.exterior.is_ccw  # positive area in y-down tile units = clockwise on screen


def test_collapsed_feature_becomes_a_unit_square_never_dropped() -> None:
    speck = box(10.1, 10.1, 10.3, 10.3)
    (out,) = quantise(np.array([speck], dtype=object), 4096, 64)
    assert out.area == 1 and out.contains(shapely.Point(10.5, 10.5))


def test_neighbours_keep_a_shared_edge_after_cutting() -> None:
    """Two neighbouring areas with a wiggly shared border: no gap and no overlap in tiles."""
    border = [(0.0, 50.0 + 0.3 * np.sin(i)) for i in range(0)] + [
        (i * 0.01, 50.0 + 0.02 * np.sin(i * 1.7)) for i in range(101)
    ]
    north = shapely.Polygon([(0, 51), *border, (1, 51)])
    south = shapely.Polygon([(0, 49), *border, (1, 49)])
    mercator = simplify_for_zoom(to_mercator(np.array([north, south], dtype=object)), 6, 4096)
    tile = Tile(8, 128, 86)
    _, fids, geometries = cut_zoom(mercator, [tile], 4096, 64)
    assert sorted(fids) == [0, 1]
    a, b = geometries
    assert shapely.intersection(a, b).area == 0
    union = shapely.union(a, b)
    frame = box(-64, -64, 4096 + 64, 4096 + 64)
    tile_area = shapely.intersection(frame, union).area
    assert tile_area == a.area + b.area
    assert not any(len(p.interiors) for p in shapely.get_parts(union))  # no slivers between


def test_ring_arrays_drop_closing_points() -> None:
    geoms = np.array([box(0, 0, 2, 2), shapely.MultiPolygon([box(5, 5, 6, 6), box(8, 8, 9, 9)])])
    coords, lengths, owner = ring_arrays(geoms)
    assert lengths.tolist() == [4, 4, 4] and owner.tolist() == [0, 1, 1]
    assert len(coords) == 12


def test_tile_bounds_are_used_for_tile_coordinates() -> None:
    tile = Tile(4, 7, 5)
    minx, miny, maxx, maxy = mercator_bounds(tile)
    exact = box(minx, miny, maxx, maxy)
    larger = box(minx - 1e6, miny - 1e6, maxx + 1e6, maxy + 1e6)
    _, _, (same, clipped) = cut_zoom(np.array([exact, larger]), [tile], 4096, 64)
    assert same.bounds == (0.0, 0.0, 4096.0, 4096.0)
    assert clipped.bounds == (-64.0, -64.0, 4160.0, 4160.0)  # clipped to the buffer

import mercantile
import pytest
from hypothesis import given
from hypothesis import strategies as st

from tiles.tilemath import (
    Tile,
    lnglat_bounds,
    maxzoom_for_detail,
    mercator_bounds,
    tile_size_m,
    tiles_covering,
)


@st.composite
def tiles(draw: st.DrawFn) -> Tile:
    z = draw(st.integers(0, 22))
    return Tile(z, draw(st.integers(0, (1 << z) - 1)), draw(st.integers(0, (1 << z) - 1)))


@given(tiles())
def test_mercator_bounds_agree_with_mercantile(tile: Tile) -> None:
    ours = mercator_bounds(tile)
    theirs = mercantile.xy_bounds(tile.x, tile.y, tile.z)
    assert ours == pytest.approx(tuple(theirs), abs=1e-6)
    assert ours[2] - ours[0] == pytest.approx(tile_size_m(tile.z))


@given(tiles())
def test_tms_row_is_an_involution_and_parent_contains_child(tile: Tile) -> None:
    assert Tile(tile.z, tile.x, tile.tms_y).tms_y == tile.y
    assert tile.is_valid()
    if tile.z > 0:
        west, south, east, north = lnglat_bounds(tile)
        pw, ps, pe, pn = lnglat_bounds(tile.parent())
        assert pw <= west and ps <= south and east <= pe and north <= pn


@given(tiles())
def test_covering_the_bounds_of_a_tile_finds_that_tile(tile: Tile) -> None:
    west, south, east, north = lnglat_bounds(tile)
    pad_x, pad_y = (east - west) / 4, (north - south) / 4
    found = set(tiles_covering(west + pad_x, south + pad_y, east - pad_x, north - pad_y, tile.z))
    assert found == {tile}


def test_invalid_tiles() -> None:
    assert not Tile(3, 8, 0).is_valid()
    assert not Tile(3, 0, -1).is_valid()
    assert not Tile(25, 0, 0).is_valid()


def test_max_zoom_rule_reproduces_the_reference_points() -> None:
    """Ultra-generalised LADs gain nothing past about z10, 1:20M NUTS past about z7."""
    assert maxzoom_for_detail(1628, 54.0) == 9  # LAD 2022 BUC median segment
    assert maxzoom_for_detail(13308, 50.0) == 6  # NUTS3 2021 1:20M median segment
    assert maxzoom_for_detail(1e9, 50.0) == 0

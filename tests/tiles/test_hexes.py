"""Hex cartogram tilesets: the same properties as the map's tiles, every hexagon where the
frame puts it, labels and region outlines, and cheap to build."""

import gzip
import json

import mapbox_vector_tile
import numpy as np
import pytest

from boundaries.hex import centre, default_layouts
from tests.conftest import TEST_INDICATORS
from tiles.build import TileBuild
from tiles.hexes import MAXZOOM, hex_spec
from tiles.manifest import tileset_file
from tiles.store import MBTilesReader
from tiles.tilemath import Tile, mercator_bounds, tile_size_m
from tiles.tileset import TilesetKey, TilesetSpec

LAD = "gdp-per-head.current-prices.lad.2019"


def _manifest(tile_build: TileBuild) -> dict[str, dict]:
    return {e["id"]: e for e in json.loads(tile_build.manifest.read_text())["tilesets"]}


def _features(reader: MBTilesReader, z: int) -> dict[str, list[tuple[Tile, dict]]]:
    """Every feature of every layer at zoom z: layer -> [(tile, feature)]."""
    out: dict[str, list[tuple[Tile, dict]]] = {}
    rows = reader.connection.execute(
        "SELECT tile_column, tile_row FROM map WHERE zoom_level = ?", (z,)
    ).fetchall()
    for x, tms_y in rows:
        tile = Tile(z, x, (1 << z) - 1 - tms_y)
        data = reader.get(tile)
        assert data is not None
        decoded = mapbox_vector_tile.decode(
            gzip.decompress(data), default_options={"y_coord_down": True}
        )
        for layer, body in decoded.items():
            out.setdefault(layer, []).extend((tile, f) for f in body["features"])
    return out


def test_every_map_tileset_on_a_district_set_has_a_hex_twin(tile_build: TileBuild) -> None:
    manifest = _manifest(tile_build)
    lad = [k for k, e in manifest.items() if e["level"] == "lad" and not e.get("geometry")]
    assert lad and all(f"{k}.hex" in manifest for k in lad)
    assert not any(k.endswith(".hex") for k, e in manifest.items() if e["level"] != "lad")
    twin = manifest[f"{LAD}.hex"]
    assert twin["layout"] == "lad-2023" and twin["missing"] == []
    assert twin["breaks"] == manifest[LAD]["breaks"]  # the same legend, the same colours
    assert {twin["indicator"] for k, twin in manifest.items() if k.endswith(".hex")} <= set(
        TEST_INDICATORS
    )


def test_hexes_carry_the_maps_properties_where_the_frame_puts_them(
    tile_build: TileBuild, data_dir
) -> None:
    # oracle for the values: the map's own tiles (cut from the real boundaries)
    geographic = _features(MBTilesReader(tileset_file(data_dir, LAD)), 5)[LAD.split(".")[2]]
    on_map = {f["properties"]["code"]: f["properties"] for _, f in geographic}
    hexed = _features(MBTilesReader(tileset_file(data_dir, f"{LAD}.hex")), MAXZOOM)
    layout = next(x for x in default_layouts() if x.id == "lad-2023").by_id()
    seen: dict[str, dict] = {}
    whole = 0
    for tile, feature in hexed["lad"]:
        code = feature["properties"]["code"]
        assert feature["properties"] == on_map[code], code
        seen[code] = feature
        west, _, _, north = mercator_bounds(tile)
        unit = tile_size_m(tile.z) / 4096
        ring = np.array(feature["geometry"]["coordinates"][0], dtype=float)
        x = west + ring[:, 0] * unit
        y = north - ring[:, 1] * unit
        hexagon = layout[code]
        cx, cy = centre(hexagon.q, hexagon.r, "odd-r")
        # every corner of the drawn hexagon lies a radius (10 km) from the frame's centre
        if len(ring) == 7 and ((ring >= 0) & (ring <= 4096)).all():  # not cut by the tile
            distance = np.hypot(x[:-1] - cx, y[:-1] - cy)
            assert np.allclose(distance, 10_000, atol=2 * unit), code
            whole += 1
    assert whole > 250  # most hexagons lie whole inside one z8 tile
    assert set(seen) == set(on_map)  # every district with a hex is drawn
    labels = {f["properties"]["code"] for _, f in hexed["labels"]}
    assert labels == set(on_map)
    regions = {f["properties"]["code"] for _, f in hexed["regions"]}
    assert len(regions) == 12  # nine English regions and three nations


def test_hex_twins_are_cheap(tile_build: TileBuild) -> None:
    manifest = _manifest(tile_build)
    pairs = [(e, manifest[k + ".hex"]) for k, e in manifest.items() if k + ".hex" in manifest]
    assert pairs
    for _, twin in pairs:
        assert twin["tiles"] <= 30 and twin["minzoom"] == 3 and twin["maxzoom"] == MAXZOOM
    assert sum(t["bytes"] for _, t in pairs) < 0.15 * sum(p["bytes"] for p, _ in pairs)


def test_areas_with_a_value_but_no_hex_are_listed_not_dropped() -> None:
    key = TilesetKey("x", "v", "lad", 2018, "hex")
    spec = TilesetSpec(key, "ltla-2018", "X", "V", "District", "", "higher", 0, "2018",
                       "About.", "Source: ONS", ())  # fmt: skip
    without = {"E06000028": ("Bournemouth", "no hex in the 2019 layout"),
               "E07000048": ("Christchurch", "no hex in the 2019 layout")}  # fmt: skip
    codes = ["E06000001", "E06000028", "E07000048"]
    values = {"value": np.array([1.0, 2.0, np.nan])}  # Christchurch has no value this year
    twin = hex_spec(spec, ("lad-2019", "Districts, 2019 codes", "Open Innovations"), without,
                    codes, values)  # fmt: skip
    assert twin.missing == (("E06000028", "Bournemouth", "no hex in the 2019 layout"),)
    assert twin.layout == "lad-2019" and "Open Innovations" in twin.attribution
    assert "hex cartogram" in twin.description


@pytest.mark.parametrize("bad", ["gdp.v.lad.2019.map", "gdp.v.lad.2019.hex.hex"])
def test_tileset_ids_name_the_hex_geometry(bad: str) -> None:
    assert TilesetKey.parse("gdp.v.lad.2019.hex") == TilesetKey("gdp", "v", "lad", 2019, "hex")
    assert TilesetKey("gdp", "v", "lad", 2019).id == "gdp.v.lad.2019"
    with pytest.raises(ValueError):
        TilesetKey.parse(bad)

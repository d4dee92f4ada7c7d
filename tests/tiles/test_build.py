"""Real tilesets built from the shipped data, checked tile by tile."""

import gzip
import json
import shutil
import subprocess
from pathlib import Path

import mapbox_vector_tile
import numpy as np
import pytest
import shapely

from boundaries.load import load_boundaries
from boundaries.registry import default_registry
from levelup import db
from pipeline.build import DataBuild
from tests.conftest import TEST_INDICATORS, TEST_LEVELS
from tiles.build import TileBuild, build_tiles
from tiles.geometry import to_mercator
from tiles.manifest import tileset_file
from tiles.store import MBTilesReader
from tiles.tilemath import Tile, mercator_bounds, tile_size_m

LAD = "gdp-per-head.current-prices.lad.2019"
NUTS = "eu-gdp-per-head.pps.nuts2.2019"


def _manifest(tile_build: TileBuild) -> dict[str, dict]:
    return {e["id"]: e for e in json.loads(tile_build.manifest.read_text())["tilesets"]}


def _decode(data: bytes) -> dict:
    return mapbox_vector_tile.decode(gzip.decompress(data), default_options={"y_coord_down": True})


def _observations(data_build: DataBuild, tileset: str) -> dict[str, float | None]:
    indicator, variant, level, year = tileset.split(".")
    connection = db.open_readonly(data_build.path)
    return dict(
        connection.execute(
            "SELECT code, value FROM observations WHERE indicator=? AND variant=? AND level=? "
            "AND year=?",
            (indicator, variant, level, int(year)),
        ).fetchall()
    )


@pytest.mark.parametrize("tileset", [LAD, NUTS])
def test_every_tile_holds_exactly_the_areas_that_touch_it(
    tile_build, data_build, tileset: str
) -> None:
    entry = _manifest(tile_build)[tileset]
    spec = default_registry().get(entry["set_id"])
    areas = load_boundaries(spec)
    sources = {False: to_mercator(areas.geometry.to_numpy())}
    if spec.detail:  # from this zoom the finer file is cut
        sources[True] = to_mercator(load_boundaries(spec, detail=True).geometry.to_numpy())
    trees = {k: shapely.STRtree(v) for k, v in sources.items()}
    values = _observations(data_build, tileset)
    reader = MBTilesReader(tile_build.manifest.parent / entry["file"])
    stored = reader.tiles()
    assert len(stored) == entry["tiles"] > 0
    seen_codes = set()
    for tile in stored:
        layer = _decode(reader.get(tile))[entry["level"]]
        features = layer["features"]
        codes = [f["properties"]["code"] for f in features]
        assert len(codes) == len(set(codes)), f"{tile}: a feature appears twice"
        fine = spec.detail is not None and tile.z >= spec.detail.from_zoom
        mercator, tree = sources[fine], trees[fine]
        size, slack = tile_size_m(tile.z), tile_size_m(tile.z) / 64  # 64 units = the buffer
        minx, miny, maxx, maxy = mercator_bounds(tile)
        inner = shapely.box(minx + slack, miny + slack, maxx - slack, maxy - slack)
        outer = shapely.box(minx - 2 * slack, miny - 2 * slack, maxx + 2 * slack, maxy + 2 * slack)
        must = {
            areas["code"][i]
            for i in tree.query(inner, predicate="intersects")
            if shapely.intersection(mercator[i], inner).area > (size / 4096) ** 2 * 64
        }
        may = {areas["code"][i] for i in tree.query(outer, predicate="intersects")}
        assert must <= set(codes) <= may, (
            f"{tile}: {sorted(must - set(codes))} missing, {sorted(set(codes) - may)} unexpected"
        )
        for feature in features:
            props = feature["properties"]
            code = props["code"]
            assert feature["id"] == int(np.flatnonzero(areas["code"] == code)[0])
            assert isinstance(props["name"], str) and props["name"]
            if values.get(code) is None:
                assert not {"value", "class", "rank", "z"} & set(props)
            else:
                assert isinstance(props["value"], float) and props["value"] == values[code]
                assert isinstance(props["class"], int) and 0 <= props["class"] < 5
        seen_codes.update(codes)
    assert seen_codes == set(areas["code"])  # every area is somewhere at every zoom range


def test_no_gaps_or_overlaps_between_neighbours_at_a_mid_zoom(tile_build) -> None:
    entry = _manifest(tile_build)[LAD]
    areas = load_boundaries(entry["set_id"])
    land = shapely.union_all(to_mercator(areas.geometry.to_numpy()))
    reader = MBTilesReader(tile_build.manifest.parent / entry["file"])
    checked = 0
    for tile in [t for t in reader.tiles() if t.z == 7]:
        minx, miny, maxx, maxy = mercator_bounds(tile)
        scale = 4096 / (maxx - minx)
        source = shapely.intersection(land, shapely.box(minx, miny, maxx, maxy))
        if source.area < 0.2 * (maxx - minx) ** 2:
            continue  # mostly sea: the coast dominates what could be measured here
        source = shapely.transform(
            source,
            lambda c, x0=minx, y1=maxy, k=scale: np.column_stack(
                [(c[:, 0] - x0) * k, (y1 - c[:, 1]) * k]
            ),
        )
        polygons = [
            shapely.geometry.shape(f["geometry"])
            for f in _decode(reader.get(tile))[entry["level"]]["features"]
        ]
        frame = shapely.box(0, 0, 4096, 4096)
        pieces = [shapely.intersection(p, frame) for p in polygons]
        union = shapely.union_all(pieces)
        # Inside the land (away from the simplified coastline) nothing may be missing.
        interior = shapely.buffer(source, -16)
        assert shapely.difference(interior, union).area < 4.0, f"gap in {tile}"
        # Neighbours must not overlap beyond quantisation (one unit wide slivers at most).
        assert sum(p.area for p in pieces) - union.area < 0.002 * union.area, f"overlap {tile}"
        checked += 1
    assert checked >= 5


def test_gdal_reads_the_mbtiles(tile_build) -> None:
    ogrinfo = shutil.which("ogrinfo")
    assert ogrinfo, "ogrinfo (Debian gdal-bin) is required: run `make test` to install it"
    entry = _manifest(tile_build)[LAD]
    path = tile_build.manifest.parent / entry["file"]
    out = subprocess.run(
        [ogrinfo, "-ro", "-so", "-oo", "ZOOM_LEVEL=6", str(path), "lad"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert "Layer name: lad" in out and "Polygon" in out
    assert "code: String" in out and "name: String" in out and "value: Real" in out
    assert "class: Real" in out or "class: Integer" in out  # numeric, never a string
    count = int(out.split("Feature Count: ")[1].split()[0])
    assert count >= 361  # every district at least once (some are split over tile edges)
    full = subprocess.run(
        [ogrinfo, "-ro", "-al", "-oo", "ZOOM_LEVEL=0", str(path)],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert "code (String) = E08000035" in full and "name (String) = Leeds" in full


def test_metadata_is_complete(tile_build) -> None:
    entry = _manifest(tile_build)[LAD]
    meta = MBTilesReader(tile_build.manifest.parent / entry["file"]).metadata()
    for key in (
        "name",
        "format",
        "bounds",
        "center",
        "minzoom",
        "maxzoom",
        "attribution",
        "description",
        "json",
    ):
        assert meta[key], key
    assert meta["format"] == "pbf" and meta["minzoom"] == "0" and meta["maxzoom"] == "10"
    layers = json.loads(meta["json"])
    assert layers["vector_layers"][0]["id"] == "lad"
    assert layers["vector_layers"][0]["fields"] == {
        "code": "String",
        "name": "String",
        "value": "Number",
        "class": "Number",
        "rank": "Number",
        "percentile": "Number",
        "z": "Number",
        "index": "Number",
        "change_pct": "Number",
        "country_index": "Number",
    }
    stats = layers["tilestats"]["layers"][0]
    assert stats["count"] == 361 and stats["geometry"] == "Polygon"
    value = next(a for a in stats["attributes"] if a["attribute"] == "value")
    assert value["type"] == "number" and value["min"] < value["max"]
    assert "Open Government Licence" in meta["attribution"]
    assert meta["attribution"].count("Source: Office for National Statistics") == 1
    nuts = MBTilesReader(tileset_file(tile_build.manifest.parent.parent, NUTS)).metadata()
    assert "EuroGeographics" in nuts["attribution"] and "Eurostat" in nuts["attribution"]


def test_rebuild_is_skipped_and_a_crash_keeps_the_previous_build(
    tile_build, data_build, monkeypatch
) -> None:
    out = data_build.path.parent
    again = build_tiles(out, only=TEST_INDICATORS, levels=TEST_LEVELS)
    assert again.built == 0 and again.planned == tile_build.planned
    assert again.skipped == again.planned + again.hex_planned
    path = tileset_file(out, LAD)
    before = path.read_bytes()
    manifest_before = tile_build.manifest.read_text()

    def boom(*args, **kwargs):
        raise RuntimeError("simulated crash while encoding")

    monkeypatch.setattr("tiles.worker.encode_tiles", boom)
    with pytest.raises(RuntimeError, match="simulated crash"):
        build_tiles(
            out, only=["gdp-per-head"], years=(2019, 2019), levels=["lad"], force=True, workers=1
        )
    assert path.read_bytes() == before
    assert tile_build.manifest.read_text() == manifest_before
    assert not list((out / "tiles").glob("*.tmp"))
    assert MBTilesReader(path).get(Tile(0, 0, 0)) is not None


def test_manifest_lists_what_was_built(tile_build) -> None:
    manifest = _manifest(tile_build)
    assert {
        LAD,
        NUTS,
        "gdp-per-head.chained-volume.lad.2019",
        "eu-gdp-per-head.eur.nuts2.2019",
        "claimant-count.rate.rgn.2024",
    } <= set(manifest)
    assert len(manifest) == tile_build.planned + tile_build.hex_planned
    assert tile_build.hex_planned == sum(1 for k in manifest if k.endswith(".hex")) > 0
    assert all(
        e["indicator"] in TEST_INDICATORS and e["level"] in TEST_LEVELS for e in manifest.values()
    )
    entry = manifest[NUTS]
    assert entry["maxzoom"] == 7 and entry["set_id"] == "nuts2-2021"
    assert Path(tile_build.manifest.parent / entry["file"]).is_file()
    assert len(entry["breaks"]) == 4 and entry["breaks"] == sorted(entry["breaks"])

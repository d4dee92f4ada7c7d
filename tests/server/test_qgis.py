"""QGIS 3.22 (Debian python3-qgis) as a real client of the running server."""

import json
import os
import subprocess
import urllib.parse
import urllib.request
from pathlib import Path

from tests.server.conftest import LAD
from tiles.manifest import tileset_file

SYSTEM_PYTHON = "/usr/bin/python3"
ARTIFACTS = Path(__file__).resolve().parents[1] / "artifacts"


def _has_qgis() -> bool:
    probe = subprocess.run(
        [SYSTEM_PYTHON, "-c", "import qgis.core"],
        capture_output=True,
        env={**os.environ, "QT_QPA_PLATFORM": "offscreen"},
    )
    return probe.returncode == 0


def test_qgis_renders_our_xyz_layer_with_our_style_and_opens_downloads(
    live_server, tmp_path
) -> None:
    assert _has_qgis(), "Debian python3-qgis is required: run `make test` to install it"
    mbtiles = tmp_path / f"{LAD}.mbtiles"
    geojson = tmp_path / "extract.geojson"
    urllib.request.urlretrieve(f"{live_server}/downloads/{LAD}.mbtiles", mbtiles)
    urllib.request.urlretrieve(
        f"{live_server}/api/indicators/gdp-per-head/data.geojson?level=lad&year=2019", geojson
    )
    ARTIFACTS.mkdir(exist_ok=True)
    out = ARTIFACTS / "qgis-uk-lad.png"
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTHON", "VIRTUAL_ENV"))}
    result = subprocess.run(
        [
            SYSTEM_PYTHON,
            str(Path(__file__).with_name("qgis_check.py")),
            live_server,
            LAD,
            str(mbtiles),
            str(geojson),
            str(out),
        ],
        capture_output=True,
        text=True,
        timeout=300,
        env={**env, "QT_QPA_PLATFORM": "offscreen", "NO_PROXY": "127.0.0.1"},
    )
    assert result.returncode == 0, result.stderr[-3000:]
    seen = json.loads(result.stdout.strip().splitlines()[-1])
    assert seen["xyz_valid"] and seen["style_loaded"], seen
    counts = seen["colour_pixels"]
    legend_pixels = sum(counts.values())
    classes_drawn = [c for c, n in counts.items() if n > 50]
    assert len(classes_drawn) >= 4, counts  # areas drawn in (at least four of) the style's colours
    assert legend_pixels > seen["other_pixels"], seen  # mostly legend colours (the rest: edges)
    assert seen["mbtiles_valid"]
    assert seen["mbtiles_features"] == 361 and seen["mbtiles_value_type"] in ("Real", "double")
    assert seen["geojson_features"] == 361
    assert seen["geojson_value_type"] in ("Real", "double") and seen["geojson_code_type"] in (
        "String",
        "string",
    )


def test_qgis_opens_the_geopackage_and_layer_definition_styled(
    live_server, data_dir, tmp_path
) -> None:
    """What a GIS user downloads opens styled: the GeoPackage with its default style from the
    file, the .qlr with the XYZ tiles, their zoom range and the style; the MBTiles, dragged in,
    draws in one colour (as the README says)."""
    assert _has_qgis(), "Debian python3-qgis is required: run `make test` to install it"
    with urllib.request.urlopen(f"{live_server}/styles/{LAD}.json") as response:
        legend = json.load(response)["metadata"]["levelup:legend"]
    with urllib.request.urlopen(f"{live_server}/api/tilesets/{LAD}") as response:
        described = json.load(response)
    (tmp_path / "legend.json").write_text(json.dumps(legend))
    gpkg, qlr = tmp_path / f"{LAD}.gpkg", tmp_path / f"{LAD}.qlr"
    urllib.request.urlretrieve(described["gpkg"], gpkg)
    urllib.request.urlretrieve(described["qlr"], qlr)
    ARTIFACTS.mkdir(exist_ok=True)
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTHON", "VIRTUAL_ENV"))}
    result = subprocess.run(
        [
            SYSTEM_PYTHON,
            str(Path(__file__).with_name("qgis_styled_check.py")),
            str(gpkg),
            str(qlr),
            str(tileset_file(data_dir, LAD)),
            str(tmp_path / "legend.json"),
            str(ARTIFACTS / "qgis-uk-lad"),
        ],
        capture_output=True,
        text=True,
        timeout=300,
        env={**env, "QT_QPA_PLATFORM": "offscreen", "NO_PROXY": "127.0.0.1"},
    )
    assert result.returncode == 0, result.stderr[-3000:]
    seen = json.loads(result.stdout.strip().splitlines()[-1])
    expected = [(str(c["class"]), c["label"], c["color"]) for c in legend["classes"]]
    expected.append(("", legend["no_data"]["label"], legend["no_data"]["color"]))
    assert len(expected) >= 6  # five classes and no data
    # the GeoPackage: its own default style, the legend's classes, colours and labels
    assert seen["gpkg_valid"] and seen["gpkg_features"] == 361
    assert (seen["gpkg_renderer"], seen["gpkg_field"]) == ("categorizedSymbol", "class")
    got = [(c["value"], c["label"], c["colour"]) for c in seen["gpkg_categories"]]
    assert got == expected
    for key in ("gpkg", "qlr"):
        counts = seen[f"{key}_pixels"]
        drawn = [colour for colour, n in counts.items() if n > 50]
        assert len(drawn) >= 5, (key, counts)  # at least five classes drawn
        assert sum(counts.values()) > seen[f"{key}_other"], (key, seen)  # the rest: edges
    # the layer definition: our XYZ template, the tileset's zoom range, the same classes
    assert seen["qlr_loaded"] and seen["qlr_layers"] == 1 and seen["qlr_valid"], seen
    template = urllib.parse.quote(described["tiles"], safe="")
    assert seen["qlr_source"] == (
        f"type=xyz&url={template}&zmin={described['minzoom']}&zmax={described['maxzoom']}"
    )
    colours = [s["colour"] for s in seen["qlr_styles"]]
    assert colours == [colour for _, _, colour in expected]
    # the MBTiles as QGIS opens it: one flat colour (most of what is drawn), none of the
    # legend's; the GeoPackage's choropleth spreads over its classes
    assert seen["mbtiles_top_share"] > 0.45 and not any(seen["mbtiles_pixels"].values()), seen
    assert seen["gpkg_top_share"] < 0.35, seen  # (measured: 0.57 and 0.23)

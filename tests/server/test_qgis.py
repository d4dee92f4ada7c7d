"""QGIS 3.22 (Debian python3-qgis) as a real client of the running server."""

import json
import os
import subprocess
import urllib.request
from pathlib import Path

from tests.server.conftest import LAD

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

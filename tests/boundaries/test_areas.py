"""The lean boundary reader (boundaries.geojson, boundaries.areas) against load_boundaries:
the same codes, names and geometry, byte for byte, without importing GDAL or geopandas."""

import json
import subprocess
import sys
from dataclasses import replace
from pathlib import Path

import pytest
import shapely

from boundaries.areas import Areas
from boundaries.geojson import is_plain, read_plain
from boundaries.load import load_boundaries
from boundaries.reading import load_areas
from boundaries.registry import BoundarySet, Registry, default_registry

PLAIN = [
    (set_id, detail)
    for set_id, spec in sorted(default_registry().sets.items())
    for detail in ((False, True) if spec.detail else (False,))
    if is_plain(spec, detail=detail)
]


def _same(a: Areas, b: Areas) -> None:
    assert a.set_id == b.set_id and a.codes == b.codes and a.names == b.names
    assert [shapely.to_wkb(g) for g in a.geometry] == [shapely.to_wkb(g) for g in b.geometry]


def test_most_shipped_sets_are_plain() -> None:
    """The GeoJSON sets (ONS districts, counties, regions, ITL3, every NUTS level) are read
    without GDAL; the multi-vintage TopoJSON and dissolved sets are not."""
    ids = {s for s, _ in PLAIN}
    assert {"lad-2022", "ctyua-2022", "rgn-2022", "itl3-2025", "nuts3-2021"} <= ids
    assert not {"ltla-2023", "itl1-2025"} & ids


@pytest.mark.parametrize(("set_id", "detail"), PLAIN)
def test_plain_sets_read_exactly_as_load_boundaries(set_id: str, detail: bool) -> None:
    spec = default_registry().get(set_id)
    lean = read_plain(spec, detail=detail)
    assert lean is not None
    _same(lean, Areas.of(load_boundaries(spec, detail=detail)))


def test_other_sets_fall_back_to_load_boundaries(registry: Registry) -> None:
    spec = registry.get("ltla-2023")
    assert read_plain(spec) is None
    _same(load_areas(spec), Areas.of(load_boundaries(spec)))


def _spec(tmp_path: Path, features: list[dict[str, object]], **crs: object) -> BoundarySet:
    (tmp_path / "areas.geojson").write_text(
        json.dumps({"type": "FeatureCollection", **crs, "features": features})
    )
    return replace(
        default_registry().get("lad-2022"),
        id="tiny",
        file="areas.geojson",
        crs="EPSG:4326",
        code_pattern="",
    )


def _square(code: object, x: float, **more: object) -> dict[str, object]:
    ring = [[x, 0], [x + 1, 0], [x + 1, 1], [x, 1], [x, 0]]
    return {
        "type": "Feature",
        "properties": {"LAD22CD": code, "LAD22NM": f" Area {code} ", **more},
        "geometry": {"type": "Polygon", "coordinates": [ring]},
    }


def test_tiny_file_is_sorted_stripped_and_repaired(tmp_path: Path) -> None:
    bowtie = _square("E2", 0.0)
    bowtie["geometry"] = {
        "type": "Polygon",
        "coordinates": [[[2, 0], [3, 1], [3, 0], [2, 1], [2, 0]]],
    }
    spec = _spec(tmp_path, [_square(" E3 ", 5.0), bowtie, _square("E1", 0.0)])
    areas = read_plain(spec, data_dir=tmp_path)
    assert areas is not None
    assert areas.codes == ("E1", "E2", "E3") and areas.names[0] == "Area E1"
    assert all(shapely.is_valid(areas.geometry))
    _same(areas, Areas.of(load_boundaries(spec, data_dir=tmp_path)))


def test_projected_file_is_reprojected_like_gdal(tmp_path: Path) -> None:
    """A square near Leeds in British National Grid metres, as LAD 2022 BUC ships."""
    feature = _square("E08000035", 0.0)
    ring = [
        [430000, 433000],
        [431000, 433000],
        [431000, 434000],
        [430000, 434000],
        [430000, 433000],
    ]
    feature["geometry"] = {"type": "Polygon", "coordinates": [ring]}
    spec = _spec(tmp_path, [feature], crs={"type": "name", "properties": {"name": "EPSG:27700"}})
    areas = read_plain(spec, data_dir=tmp_path)
    assert areas is not None
    west, south, _, _ = areas.bounds
    assert -1.6 < west < -1.5 and 53.7 < south < 53.9
    _same(areas, Areas.of(load_boundaries(spec, data_dir=tmp_path)))


@pytest.mark.parametrize(
    "features",
    [
        [_square("E1", 0.0), _square("E1", 1.0)],  # shared code: dissolved by load_boundaries
        [_square(7, 0.0)],  # a number for a code
        [{**_square("E1", 0.0), "geometry": None}],
    ],
)
def test_files_that_are_not_plain_are_left_to_load_boundaries(
    tmp_path: Path, features: list[dict[str, object]]
) -> None:
    assert read_plain(_spec(tmp_path, features), data_dir=tmp_path) is None


def test_where_filters_on_properties(tmp_path: Path) -> None:
    features = [_square("E1", 0.0, LEVL_CODE=1), _square("E2", 2.0, LEVL_CODE=2)]
    spec = replace(_spec(tmp_path, features), where=(("LEVL_CODE", 2),))
    areas = read_plain(spec, data_dir=tmp_path)
    assert areas is not None and areas.codes == ("E2",)
    missing = replace(spec, where=(("NO_SUCH_FIELD", 2),))
    assert read_plain(missing, data_dir=tmp_path) is None


def test_cutting_tiles_of_a_plain_set_needs_no_gdal_or_geopandas() -> None:
    """What a cold tile build imports: the point of the lean reader."""
    code = (
        "import sys\n"
        "from boundaries.reading import load_areas\n"
        "from tiles.cutter import build_pyramid\n"
        "pyramid = build_pyramid(load_areas('lad-2022'), maxzoom=3)\n"
        "assert len(pyramid.info.codes) == 374 and pyramid.tiles\n"
        "heavy = {'geopandas', 'pandas', 'pyogrio', 'fiona', 'osgeo'} & set(sys.modules)\n"
        "assert not heavy, heavy\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True)

import json

import geopandas as gpd
import pytest
import shapely
from shapely.geometry import Point

from boundaries.load import STANDARD_COLUMNS, load_boundaries, load_codes
from boundaries.registry import DATA_DIR, BoundarySet, Registry, default_registry
from levelup.errors import MissingColumnError, UnreadableFileError


@pytest.mark.parametrize("set_id", sorted(default_registry().sets))
def test_every_shipped_set_loads_valid_in_the_standard_shape(
    registry: Registry, set_id: str
) -> None:
    frame = load_boundaries(set_id)
    assert list(frame.columns) == STANDARD_COLUMNS
    assert frame.crs.to_epsg() == 4326
    assert len(frame) > 0 and frame["code"].is_unique
    assert frame.is_valid.all(), f"{set_id}: invalid geometry after loading"
    assert set(frame.geom_type) <= {"Polygon", "MultiPolygon"}
    assert not frame.is_empty.any()
    assert shapely.coverage_is_valid(frame.geometry.to_numpy()), "neighbours overlap"
    assert (frame["set_id"] == set_id).all() and (
        frame["level"] == registry.get(set_id).level
    ).all()
    assert set(frame["code"]) == set(load_codes(registry.get(set_id)))


def test_invalid_source_polygons_are_repaired() -> None:
    """ITL1 2021 ships with 7 of 12 invalid polygons (rounding); after loading all are valid."""
    raw = gpd.read_file(DATA_DIR / "ons/ITL1_JAN_2021_UK_BUC.geojson")
    assert (~raw.is_valid).sum() == 7
    assert load_boundaries("itl1-2021").is_valid.all()


def test_british_national_grid_is_reprojected() -> None:
    """LAD 2022 BUC is in EPSG:27700; Leeds must land on Leeds after reprojection."""
    leeds = load_boundaries("lad-2022").set_index("code").loc["E08000035"]
    assert leeds["name"] == "Leeds"
    assert leeds.geometry.contains(Point(-1.5491, 53.8008))  # Leeds city centre


def test_multi_vintage_file_is_filtered_and_recoded() -> None:
    codes_2018 = set(load_boundaries("ltla-2018")["code"])
    codes_2023 = set(load_boundaries("ltla-2023")["code"])
    # Glasgow City keeps its pre-2019 code in the file; from 2019 it is S12000049.
    assert "S12000046" in codes_2018 and "S12000049" not in codes_2018
    assert "S12000049" in codes_2023 and "S12000046" not in codes_2023
    # Cumbria's districts merged into two unitaries in 2023.
    assert "E07000026" in codes_2018 and "E07000026" not in codes_2023
    assert {"E06000063", "E06000064"} <= codes_2023


def test_nuts_levels_come_from_one_file(registry: Registry) -> None:
    counts = [len(load_boundaries(f"nuts{level}-2016")) for level in range(4)]
    assert counts == [37, 125, 332, 1522]
    detail = load_boundaries("nuts2-2016", detail=True)
    assert set(detail["code"]) == set(load_boundaries("nuts2-2016")["code"])
    vertices = lambda f: int(shapely.get_num_coordinates(f.geometry.to_numpy()).sum())  # noqa: E731
    assert vertices(detail) > vertices(load_boundaries("nuts2-2016"))


def _spec(tmp_path, **changes) -> BoundarySet:
    fields: dict[str, object] = dict(  # noqa: C408
        id="test",
        level="lad",
        vintage="x",
        title="t",
        file="f.geojson",
        code_field="CD",
        name_field="NM",
        crs="EPSG:4326",
        years=(2020, 2020),
        priority=1,
    )
    fields.update(changes)
    return BoundarySet(**fields)


def test_missing_file_and_field_are_clear_errors(tmp_path) -> None:
    with pytest.raises(UnreadableFileError, match="does not exist"):
        load_boundaries(_spec(tmp_path, file="absent.geojson"), data_dir=tmp_path)
    feature = {
        "type": "Feature",
        "properties": {"CD": "E1", "OTHER": "n"},
        "geometry": {"type": "Point", "coordinates": [0, 0]},
    }
    (tmp_path / "f.geojson").write_text(
        json.dumps({"type": "FeatureCollection", "features": [feature]})
    )
    with pytest.raises(MissingColumnError, match=r"f\.geojson.*column 'NM'"):
        load_boundaries(_spec(tmp_path), data_dir=tmp_path)


def test_bow_tie_polygon_is_made_valid(tmp_path) -> None:
    bow_tie = [[0, 0], [1, 1], [1, 0], [0, 1], [0, 0]]
    feature = {
        "type": "Feature",
        "properties": {"CD": "E1", "NM": "Bow tie"},
        "geometry": {"type": "Polygon", "coordinates": [bow_tie]},
    }
    (tmp_path / "f.geojson").write_text(
        json.dumps({"type": "FeatureCollection", "features": [feature]})
    )
    frame = load_boundaries(_spec(tmp_path), data_dir=tmp_path)
    assert frame.is_valid.all() and frame.geometry.iloc[0].area == pytest.approx(0.5)

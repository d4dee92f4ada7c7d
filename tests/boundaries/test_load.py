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
    """NUTS3 2018 (ITL3 2021) ships with 26 of 179 invalid polygons (3-decimal rounding);
    after loading all are valid."""
    raw = gpd.read_file(DATA_DIR / "ons/NUTS3_JAN_2018_UK_with_ITL3.geojson")
    assert (~raw.is_valid).sum() == 26
    assert load_boundaries("itl3-2021").is_valid.all()


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


def test_itl_2025_regions_are_dissolved_from_itl3_on_the_lookup() -> None:
    """ITL2 and ITL1 2025 are the ITL3 2025 polygons merged along the ONS lookup."""
    itl3 = load_boundaries("itl3-2025")
    itl2 = load_boundaries("itl2-2025")
    itl1 = load_boundaries("itl1-2025")
    assert (len(itl3), len(itl2), len(itl1)) == (182, 46, 12)
    assert itl1.is_valid.all() and itl2.is_valid.all()
    wales = itl1.set_index("code").loc["TLL"]
    assert wales["name"] == "Wales"
    welsh = itl3[itl3["code"].str.startswith("TLL")]
    assert len(welsh) == 12
    assert wales.geometry.area == pytest.approx(welsh.geometry.union_all().area, rel=1e-6)


def test_a_level_holds_only_areas_of_that_level() -> None:
    """The multi-vintage file's combined-authority layer also holds Glasgow City and North
    Lanarkshire (S12 codes); the combined-authority sets must not."""
    for set_id in ("cauth-2019", "cauth-2025"):
        codes = set(load_boundaries(set_id)["code"])
        assert codes and all(code.startswith("E47") for code in codes), set_id
        assert all(code.startswith("E47") for code in load_codes(registry_get(set_id)))


def registry_get(set_id: str):
    from boundaries.registry import default_registry

    return default_registry().get(set_id)

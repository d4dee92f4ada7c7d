import geopandas as gpd
import pytest

from boundaries.load import load_boundaries
from boundaries.registry import DATA_DIR, Registry, load_registry
from levelup.errors import CatalogueError, UnknownBoundarySetError


def test_registry_lists_every_shipped_level_and_set(registry: Registry) -> None:
    assert {"lad", "ctyua", "cauth", "rgn", "itl2", "itl3", "nuts0", "nuts2", "nuts3"} <= set(
        registry.levels
    )
    for set_id in ("lad-2022", "ctyua-2022", "rgn-2022", "itl1-2025", "itl3-2021", "nuts2-2013"):
        assert set_id in registry.sets
    lad = registry.get("lad-2022")
    assert (lad.level, lad.code_field, lad.crs) == ("lad", "LAD22CD", "EPSG:27700")
    assert "Office for National Statistics" in lad.attribution
    assert "EuroGeographics" in registry.get("nuts3-2021").attribution


def test_unknown_set_names_the_known_ones(registry: Registry) -> None:
    with pytest.raises(UnknownBoundarySetError, match=r"lad-2099.*known sets: .*lad-2022"):
        registry.get("lad-2099")


def test_declared_vintages_are_exactly_the_years_the_code_set_changes(registry: Registry) -> None:
    """sets.toml declares the vintages of the multi-vintage file; check them against the file."""
    path = DATA_DIR / "ons/uk_areas_2014-2025_BSC.topojson"
    for layer, prefix in (("ltla", "ltla"), ("utla", "utla"), ("cauth", "cauth")):
        frame = gpd.read_file(path, layer=layer)
        if "start" not in frame:
            frame["start"] = None
        changes_at, previous = [], None
        for year in range(2014, 2026):
            valid = (frame["start"].isna() | (frame["start"] <= year)) & (
                frame["end"].isna() | (frame["end"] >= year)
            )
            codes = frozenset(frame.loc[valid, "areacd"])
            if codes != previous:
                changes_at.append(year)
            previous = codes
        declared = sorted(
            s.valid_in for s in registry.sets.values() if s.id.startswith(prefix + "-")
        )
        assert declared == changes_at, layer


def test_lad_counts_by_year(registry: Registry) -> None:
    """The multi-vintage file gives every year's LAD code set (ONS counts)."""
    counts = {y: len(load_boundaries(f"ltla-{y}")) for y in (2019, 2021, 2023)}
    assert counts == {2019: 382, 2021: 374, 2023: 361}
    assert len(load_boundaries("lad-2022")) == 374


def test_bad_registry_is_refused(tmp_path) -> None:
    (tmp_path / "levels.toml").write_text(
        '[[level]]\nid = "lad"\nlabel = "x"\nsystem = "ons"\npattern = "^E"\n'
    )
    (tmp_path / "sets.toml").write_text('[[set]]\nid = "x"\nlevel = "nope"\ncolour = 1\n')
    with pytest.raises(CatalogueError, match="unknown keys"):
        load_registry(data_dir=DATA_DIR, config_dir=tmp_path)

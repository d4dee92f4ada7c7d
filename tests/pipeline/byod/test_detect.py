"""Detection on tables written the way people write them, and the clear refusals."""

from pathlib import Path

import pytest

from levelup.errors import InputError
from pipeline.byod.detect import detect
from pipeline.catalogue import DATA_DIR
from pipeline.readers.sheet import read_sheet
from tests.pipeline.byod.tables import (
    districts,
    messy_tidy,
    messy_wide,
    nuts_semicolon,
    plain,
    xlsx_wide_measures,
)


def _detect(table, tmp_path, registry, changes, **overrides):
    return detect(read_sheet(table.write(tmp_path)), registry, changes, overrides)


def test_messy_tidy(registry, changes, tmp_path: Path) -> None:
    found = _detect(messy_tidy(registry), tmp_path, registry, changes)
    layout = found.layout
    assert (layout.format, layout.code_column, layout.period_column) == (
        "tidy",
        "Area Code",
        "Year",
    )
    assert layout.value_columns == ("Number of Households",)
    assert layout.name_column == "area NAME"
    assert (found.level, found.system) == ("lad", "ons")
    assert found.set_id == "lad-2022"  # every code matches it exactly; the newest such set
    assert found.rows == 80
    reasons = {r["text"]: r["reason"] for r in found.ignored}
    assert reasons == {
        "Total": "a total row",
        "Source: district council tax base returns": "not an area code",
    }


def test_wide_years_with_a_national_row(registry, changes, tmp_path: Path) -> None:
    found = _detect(messy_wide(registry), tmp_path, registry, changes)
    assert found.layout.format == "wide-years"
    assert found.layout.value_columns == ("2019", "2020", "2021")
    assert (found.layout.code_column, found.layout.name_column) == ("AREA CODE", "Area name")
    assert found.level == "lad"
    assert found.comparators == ["E92000001"]


def test_wide_measures_from_xlsx(registry, changes, tmp_path: Path) -> None:
    found = _detect(xlsx_wide_measures(registry), tmp_path, registry, changes)
    assert found.layout.format == "wide-indicators"
    assert found.layout.value_columns == ("Employment rate (%)", "Median pay (£)")
    assert found.layout.period_column == "Year"


def test_nuts_with_one_period_given(registry, changes, tmp_path: Path) -> None:
    table = nuts_semicolon(registry)
    with pytest.raises(InputError, match=r"no period found.*--period 2023"):
        _detect(table, tmp_path, registry, changes)
    found = _detect(table, tmp_path, registry, changes, period="2021")
    assert (found.level, found.system, found.set_id) == ("nuts2", "nuts", "nuts2-2021")
    assert found.layout.value_columns == ("share",)


def test_ons_download_picks_the_observation(registry, changes) -> None:
    """A real ONS Explore Local Statistics download, as a user would bring it."""
    path = DATA_DIR / "ons_els" / "gross-median-weekly-pay.csv"
    found = detect(read_sheet(path), registry, changes)
    assert found.layout.value_columns == ("Observation",)  # not the limits, status or polarity
    assert found.layout.period_column == "Period"
    assert found.level == "lad"
    assert found.other_levels == {"ctyua": 21, "rgn": 9}
    assert {r["text"] for r in found.ignored} == {"K03000001", "K04000001"}


def test_no_code_column(tmp_path: Path, registry, changes) -> None:
    table = plain("place,year,value", "Leeds,2022,1", "York,2022,2")
    with pytest.raises(InputError, match="no column looks like area codes") as caught:
        _detect(table, tmp_path, registry, changes)
    assert caught.value.line == 1


def test_mixed_levels(tmp_path: Path, registry, changes) -> None:
    lads = [f"{code},2022,{i}" for i, (code, _) in enumerate(districts(registry, 10))]
    regions = [f"E1200000{i},2022,{i}" for i in range(1, 10)]
    table = plain("code,year,value", *lads, *regions)
    with pytest.raises(InputError, match=r"codes from mixed levels \(.*lad.*rgn.*--level"):
        _detect(table, tmp_path, registry, changes)
    assert _detect(table, tmp_path, registry, changes, level="rgn").level == "rgn"


def test_formula_looking_cells(tmp_path: Path, registry, changes) -> None:
    (code, _), (other, _) = districts(registry, 2)
    table = plain("code,year,value", f"{code},2022,5", f"{other},2022,=cmd|' /C calc'!A0")
    with pytest.raises(InputError, match="looks like a spreadsheet formula") as caught:
        _detect(table, tmp_path, registry, changes)
    assert (caught.value.line, caught.value.column) == (3, "value")


def test_overrides_win(registry, changes, tmp_path: Path) -> None:
    found = _detect(
        messy_tidy(registry), tmp_path, registry, changes, code_column="Area Code", level="ctyua"
    )
    assert found.level == "ctyua"
    with pytest.raises(InputError, match="no column 'nope'"):
        _detect(messy_tidy(registry), tmp_path, registry, changes, code_column="nope")


def test_finer_code_column_and_gis_ids(registry, changes, tmp_path: Path) -> None:
    """An export with a region column beside the districts, and ArcGIS's ObjectId and FID."""
    rows = [
        f"{i},{i},E12000006,{code},2022,{i * 1.5}"
        for i, (code, _) in enumerate(districts(registry, 12)[:8], start=1)
    ]
    table = plain("ObjectId,FID,Region code,Area code,Year,Rate", *rows)
    found = _detect(table, tmp_path, registry, changes)
    assert found.layout.code_column == "Area code" and found.level == "lad"
    assert found.layout.value_columns == ("Rate",)


def test_overrides_must_name_real_columns_and_levels(registry, changes, tmp_path: Path) -> None:
    table = messy_tidy(registry)
    with pytest.raises(InputError, match="no column 'Households'") as caught:
        _detect(table, tmp_path, registry, changes, value_columns=["Households"])
    assert caught.value.column == "Households"
    with pytest.raises(InputError, match="unknown geography level 'parish'"):
        _detect(table, tmp_path, registry, changes, level="parish")

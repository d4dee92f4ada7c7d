import csv

import numpy as np
import pytest

from levelup.errors import BadValueError, DuplicateRowError
from pipeline.catalogue import DATA_DIR, Catalogue, load_catalogue, parse_indicator
from pipeline.readers import read_table
from pipeline.tidy import TIDY_COLUMNS, tidy_indicator
from tests.conftest import write_catalogue


def _tidy(catalogue: Catalogue, indicator_id: str):
    indicator = catalogue.get(indicator_id)
    return tidy_indicator(
        indicator, lambda s: read_table(catalogue.sources.root / s.file, s.reader)
    )


def test_gdp_per_head_equals_the_source_csv(catalogue: Catalogue) -> None:
    """Leeds, 2019, current prices: the tidy value is the number in the published CSV."""
    with open(DATA_DIR / "ons_els/gdp-per-head.csv", encoding="utf-8-sig", newline="") as handle:
        published = [
            float(row["Observation"])
            for row in csv.DictReader(handle)
            if row["AREACD"] == "E08000035"
            and row["Period"] == "2019"
            and row["Indicator"].endswith("current market price")
        ]
    tidy = _tidy(catalogue, "gdp-per-head")
    assert list(tidy.columns) == TIDY_COLUMNS
    assert tidy["value"].dtype == np.float64 and tidy["year"].dtype == np.int64
    row = tidy[
        (tidy["code"] == "E08000035")
        & (tidy["year"] == 2019)
        & (tidy["variant"] == "current-prices")
    ]
    assert len(published) == 1 and row["value"].tolist() == published
    assert set(tidy["variant"]) == {"current-prices", "chained-volume"}
    assert "Office for National Statistics" in row["source"].iloc[0]
    assert row["licence"].iloc[0] == "Open Government Licence v3.0"


def test_three_year_and_financial_year_periods(catalogue: Catalogue) -> None:
    hle = _tidy(catalogue, "healthy-life-expectancy")
    england = hle[(hle["code"] == "E92000001") & (hle["variant"] == "male")].sort_values("year")
    # ELS labels its periods itself; the year a period is filed under is the year it ends
    assert england["period"].iloc[0] == "2011-13" and england["year"].iloc[0] == 2013
    assert england["value"].iloc[0] == pytest.approx(63.0)
    wellbeing = _tidy(catalogue, "wellbeing")
    first = wellbeing[wellbeing["period"] == "2011-12"]
    assert set(wellbeing["period"]) >= {"2011-12", "2022-23"} and set(first["year"]) == {2012}


def test_eurostat_flags_are_kept_apart_from_values(catalogue: Catalogue) -> None:
    gdp = _tidy(catalogue, "eu-gdp-per-head")
    albania = gdp[(gdp["code"] == "AL") & (gdp["year"] == 2020) & (gdp["variant"] == "eur")]
    assert albania["value"].iloc[0] == 4700.0 and albania["status"].iloc[0] == "p"
    missing = gdp[(gdp["code"] == "AL") & (gdp["year"] == 2000) & (gdp["variant"] == "eur")]
    assert np.isnan(missing["value"].iloc[0])


def _shipped_csv(catalogue: Catalogue, file: str, **source: object):
    """An indicator reading one shipped CSV (tests of files the catalogue no longer reads)."""
    raw = {"id": "t", "title": "t", "theme": "economy", "unit": "%", "polarity": "lower"}
    variant = {"id": "v", "file": file, "reader": "ons", **source}
    return parse_indicator(
        {**raw, "variant": [variant]}, "test", catalogue.sources, {"economy": "Economy"}
    )


def test_suppressed_values_are_null_not_strings(catalogue: Catalogue) -> None:
    indicator = _shipped_csv(catalogue, "ons_els/aged-16-years-and-over-modelled-unemployment.csv")
    tidy = tidy_indicator(indicator, lambda s: read_table(DATA_DIR / s.file, s.reader))
    suppressed = tidy[tidy["status"] == "x"]
    assert len(suppressed) > 0 and suppressed["value"].isna().all()


INDICATOR = """
[[indicator]]
id = "test"
title = "Test"
theme = "economy"
unit = "£"
polarity = "higher"
  [[indicator.variant]]
  id = "v"
  file = "t.csv"
  reader = "ons"
"""


def _catalogue_with(tmp_path, text: str) -> Catalogue:
    return load_catalogue(write_catalogue(tmp_path, {"t.csv": text}, INDICATOR), tmp_path / "data")


def test_non_numeric_value_names_file_line_and_column(tmp_path) -> None:
    catalogue = _catalogue_with(
        tmp_path, "AREACD,Period,Observation\nE06000001,2019,12\nE06000002,2019,twelve\n"
    )
    with pytest.raises(BadValueError) as info:
        _tidy(catalogue, "test")
    assert str(info.value).startswith(
        f"{tmp_path / 'data' / 't.csv'}, line 3, column 'Observation'"
    )
    assert "'twelve'" in str(info.value)


def test_bad_period_names_its_line(tmp_path) -> None:
    catalogue = _catalogue_with(tmp_path, "AREACD,Period,Observation\nE06000001,sometime,12\n")
    with pytest.raises(BadValueError, match="line 2, column 'Period'"):
        _tidy(catalogue, "test")


def test_conflicting_duplicates_stop_and_exact_repeats_are_dropped(tmp_path) -> None:
    conflict = _catalogue_with(
        tmp_path / "a", "AREACD,Period,Observation\nE06000001,2019,12\nE06000001,2019,13\n"
    )
    with pytest.raises(DuplicateRowError, match=r"line 2, column 'value'.*E06000001.*line 3"):
        _tidy(conflict, "test")
    repeat = _catalogue_with(
        tmp_path / "b", "AREACD,Period,Observation\nE06000001,2019,12\nE06000001,2019,12\n"
    )
    assert len(_tidy(repeat, "test")) == 1


def test_real_duplicate_in_published_file_is_caught(catalogue: Catalogue) -> None:
    """The subnational file codes Inner London as E13000002 too; without the catalogue's
    exclusion the conflicting rows are reported with file and lines."""
    indicator = _shipped_csv(
        catalogue,
        "ons_subnational/subnational_indicators_machine_readable.csv",
        reader="subnational",
        filter={
            "indicator": "Average travel time in minutes to reach nearest large employment "
            "centre (500 + employees), by public transport"
        },
    )
    variant = indicator.variants[0]
    with pytest.raises(DuplicateRowError, match=r"line 1959.*E13000002.*line 1960"):
        tidy_indicator(
            indicator,
            lambda s: read_table(catalogue.sources.root / s.file, s.reader),
            variants=[variant],
        )

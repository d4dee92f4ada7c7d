"""ONS Explore Local Statistics datasets: the reader, the catalogue's account of every file,
duplicates that really are duplicates, and joined values recomputed from the source files."""

from __future__ import annotations

import csv
import json
import random
import sqlite3
from pathlib import Path

import pytest

from levelup import db
from levelup.errors import MissingColumnError, UnreadableFileError
from pipeline.build import DataBuild
from pipeline.catalogue import DATA_DIR, Catalogue
from pipeline.periods import parse_period
from pipeline.readers import read_table
from pipeline.readers.els import one_period_per_year

ELS = DATA_DIR / "ons_els_datasets"
NOT_DATASETS = {"core-metadata.json", "excluded-indicators.json"}


def raw_values(name: str) -> dict[tuple[str, float], float]:
    """(code, decimal year) -> value, read straight from the JSON arrays."""
    data = json.loads((DATA_DIR / name).read_text(encoding="utf-8"))
    return {
        (c, x): v
        for c, v, x in zip(data["areacd"], data["value"], data["xDomainNumb"], strict=True)
        if v is not None
    }


def els_labels(dataset_id: int) -> dict[float, str]:
    """ELS's own period labels for a dataset id, read straight from its CSV."""
    with (ELS / "periods_for_each_indicator.csv").open(encoding="utf-8-sig") as handle:
        return {
            float(r["xDomainNumb"]): r["label"]
            for r in csv.DictReader(handle)
            if int(r["id"]) == dataset_id
        }


# ------------------------------------------------------------------ reader and periods


def test_reader_labels_periods_as_els_does() -> None:
    frame = read_table(ELS / "housing-affordability-ratio.json", "els").frame
    leeds = frame[frame["code"] == "E08000035"].set_index("_period_label")
    assert leeds.loc["Apr 2025", "period"] == "2025-04-01"
    assert (
        float(leeds.loc["Apr 2025", "value"])
        == raw_values("ons_els_datasets/housing-affordability-ratio.json")[("E08000035", 2025.25)]
    )


def test_financial_years_end_in_their_second_year() -> None:
    frame = read_table(ELS / "wellbeing-anxiety.json", "els").frame
    first = frame[frame["_period_label"] == "2011-12"].iloc[0]
    assert parse_period(first["period"]).year == 2012


def test_quarterly_series_keep_the_same_quarter_every_year() -> None:
    assert one_period_per_year({2019.75, 2020.0, 2020.25, 2020.5, 2020.75, 2021.0}) == {
        2020.0,
        2021.0,
    }
    frame = read_table(ELS / "average-length-of-short-term-let-stay.json", "els").frame
    assert set(frame["_period_label"]) == {"Q2 2024", "Q2 2025"}
    chargers = read_table(ELS / "electric-vehicle-public-charging-devices.json", "els").frame
    assert {label[:3] for label in chargers["_period_label"]} == {"Jan"}


def test_datasets_without_els_periods_use_the_decimal_years() -> None:
    # ELS gives homicide-offences-ni the id of another dataset (73, business R&D), whose
    # periods do not cover it: the whole decimal years are the periods.
    frame = read_table(ELS / "homicide-offences-ni.json", "els").frame
    assert set(frame["period"]) == {str(y) for y in range(2001, 2021)}


@pytest.mark.parametrize(
    ("text", "start", "end", "label"),
    [
        ("2011-04-01/P1Y", 2011, 2012, "2011/12"),
        ("2020-01-01/P5Y", 2020, 2024, "2020\u20132024"),
        ("2023-07-01/P3M", 2023, 2023, "2023 Q3"),
        ("2025-04-01", 2025, 2025, "Apr 2025"),
        ("2004-01-01T00:00:00/P1Y", 2004, 2004, "2004"),
    ],
)
def test_iso_periods(text: str, start: int, end: int, label: str) -> None:
    period = parse_period(text)
    assert (period.start, period.end, period.label) == (start, end, label)


def test_a_broken_els_file_names_the_file_and_the_array(tmp_path: Path) -> None:
    short = tmp_path / "short.json"
    short.write_text(json.dumps({"areacd": ["E1"], "value": [1, 2], "xDomainNumb": [2020]}))
    with pytest.raises(UnreadableFileError) as caught:
        read_table(short, "els")
    assert "'value' has 2 entries" in str(caught.value) and "short.json" in str(caught.value)
    missing = tmp_path / "missing.json"
    missing.write_text(json.dumps({"areacd": [], "value": []}))
    with pytest.raises(MissingColumnError, match="xDomainNumb"):
        read_table(missing, "els")
    bad_year = tmp_path / "year.json"
    bad_year.write_text(json.dumps({"areacd": ["E1"], "value": [1], "xDomainNumb": ["x"]}))
    with pytest.raises(UnreadableFileError) as caught:
        read_table(bad_year, "els")
    assert caught.value.line == 1


# ------------------------------------------------------------------ the catalogue's account


def _read_files(catalogue: Catalogue) -> set[str]:
    return {s.file for i in catalogue.indicators.values() for v in i.variants for s in v.sources}


def test_every_els_dataset_is_read_or_explained(catalogue: Catalogue) -> None:
    shipped = {f"ons_els_datasets/{p.name}" for p in ELS.glob("*.json")} - {
        f"ons_els_datasets/{n}" for n in NOT_DATASETS
    }
    read = _read_files(catalogue) & shipped
    listed = {e.file for e in catalogue.els_datasets}
    assert len(shipped) == 126
    assert read | listed == shipped
    assert not read & listed, "a dataset is both read and listed as not read"


def test_every_shipped_indicator_says_why_its_direction(catalogue: Catalogue) -> None:
    for indicator in catalogue.indicators.values():
        assert indicator.polarity_reason, indicator.id
    neither = {i.id for i in catalogue.indicators.values() if i.polarity == "neither"}
    assert {"population", "median-age", "business-rd", "public-rd"} <= neither


def _variant_file(catalogue: Catalogue, ref: str) -> str:
    indicator, _, variant = ref.partition("/")
    files = [s.file for s in catalogue.get(indicator).variant(variant).sources]
    return next(f for f in files if f.endswith(".json"))


def test_duplicates_really_are_duplicates(catalogue: Catalogue) -> None:
    for entry in (e for e in catalogue.els_datasets if e.status == "duplicate"):
        copy = raw_values(entry.file)
        read = raw_values(_variant_file(catalogue, entry.of))
        shared = set(copy) & set(read)
        assert len(shared) >= 0.99 * len(copy), entry.file
        worst = max(abs(copy[k] - read[k]) for k in shared)
        assert worst <= entry.tolerance, (entry.file, worst)


def test_superseded_releases_were_revised(catalogue: Catalogue) -> None:
    for entry in (e for e in catalogue.els_datasets if e.status == "superseded"):
        old = raw_values(entry.file)
        new = raw_values(_variant_file(catalogue, entry.of))
        shared = set(old) & set(new)
        assert shared and any(old[k] != new[k] for k in shared), entry.file
        assert max(x for _, x in new) > max(x for _, x in old), "the newer release is read"


def _csv_values(path: Path, column: str | None = None, value: str | None = None) -> dict:
    with path.open(encoding="utf-8-sig") as handle:
        rows = list(csv.DictReader(handle))
    key = {k.lower(): k for k in rows[0]}
    out = {}
    for row in rows:
        if column and row[key[column]].strip() != value:
            continue
        cell = row[key["observation"]].strip()
        if cell:
            out[(row[key["areacd"]].strip(), row[key["period"]].strip()[:4])] = float(cell)
    return out


@pytest.mark.parametrize(
    ("csv_name", "json_name", "column", "value"),
    [
        (
            "gdp-per-head.csv",
            "gross-domestic-product-per-head-at-current-market-price.json",
            "indicator",
            "Gross domestic product per head at current market price",
        ),
        (
            "gross-value-added-per-hour-worked.csv",
            "gross-value-added-per-hour-worked.json",
            None,
            None,
        ),
        ("employment-rate.csv", "employment-rate.json", "indicator", "Employment Rate"),
    ],
)
def test_the_els_dataset_equals_the_csv_we_read_before(
    csv_name: str, json_name: str, column: str | None, value: str | None
) -> None:
    old = _csv_values(DATA_DIR / "ons_els" / csv_name, column, value)
    new = {(c, str(int(x))): v for (c, x), v in raw_values(f"ons_els_datasets/{json_name}").items()}
    shared = set(old) & set(new)
    assert len(shared) > 7000
    assert all(old[k] == pytest.approx(new[k]) for k in shared)


# ------------------------------------------------------------------ joined values from source


def _observation(connection: sqlite3.Connection, *key: object) -> tuple[float, str] | None:
    row = connection.execute(
        "SELECT value, period FROM observations WHERE indicator=? AND variant=? AND level=? "
        "AND code=? AND year=?",
        key,
    ).fetchone()
    return None if row is None else (row[0], row[1])


SAMPLES = [  # newly added datasets, one per level of interest
    ("housing-affordability", "residence-based", "lad", "housing-affordability-ratio.json"),
    ("child-obesity", "year-6", "ctyua", "obese-children-year-6.json"),
    ("business-births", "rate", "rgn", "births-of-new-enterprises.json"),
    ("children-in-poverty", "before-housing-costs", "lad", "children-in-relative-poverty.json"),
]


@pytest.mark.slow
@pytest.mark.parametrize(("indicator", "variant", "level", "file"), SAMPLES)
def test_joined_values_equal_the_source_file(
    data_build: DataBuild, indicator: str, variant: str, level: str, file: str
) -> None:
    connection = db.open_readonly(data_build.path)
    data = json.loads((ELS / file).read_text(encoding="utf-8"))
    labels = els_labels(int(data["id"]))
    rows = connection.execute(
        "SELECT code, year, value, period FROM observations WHERE indicator=? AND variant=? "
        "AND level=? AND value IS NOT NULL",
        (indicator, variant, level),
    ).fetchall()
    assert len(rows) > 30
    source = raw_values(f"ons_els_datasets/{file}")
    by_label = {(c, labels.get(x, str(int(x)))): v for (c, x), v in source.items()}
    for code, _year, value, period in random.Random(14).sample(rows, 30):
        assert value == pytest.approx(by_label[(code, period)]), (code, period)


@pytest.mark.slow
def test_business_rd_per_head_is_the_total_over_the_population(data_build: DataBuild) -> None:
    connection = db.open_readonly(data_build.path)
    berd = raw_values("ons_els_datasets/business-expenditure-on-research-and-development.json")
    people = raw_values("ons_population/els_population-count_1991-2024.json")
    for code, year in [("E12000003", 2023), ("E12000006", 2022), ("W92000004", 2024)]:
        expected = berd[(code, year)] * 1e6 / people[(code, year)]
        got = _observation(connection, "business-rd", "per-head", "rgn", code, year)
        assert got is not None and got[0] == pytest.approx(expected)
    # the same year's population or nothing: population estimates stop at 2024
    gdp = _observation(connection, "gdp-per-head", "total", "rgn", "TLE", 2022)
    assert gdp is not None


@pytest.mark.slow
def test_itl3_gdp_per_head_ranks_all_182_regions(data_build: DataBuild) -> None:
    connection = db.open_readonly(data_build.path)
    rows = connection.execute(
        "SELECT o.rank, a.name FROM observations o JOIN areas a ON a.code = o.code "
        "AND a.set_id = 'itl3-2025' WHERE o.indicator='gdp-per-head' "
        "AND o.variant='current-prices' AND o.level='itl3' AND o.year=2022 ORDER BY o.rank"
    ).fetchall()
    assert len(rows) == 182 and rows[-1][0] == 182
    assert rows[0][1] == "Westminster and City of London"


@pytest.mark.slow
def test_index_uses_the_areas_own_nation_without_a_uk_figure(data_build: DataBuild) -> None:
    connection = db.open_readonly(data_build.path)
    source = raw_values("ons_els_datasets/housing-affordability-ratio.json")
    for code, nation in [("W06000015", "W92000004"), ("E08000035", "E92000001")]:
        row = connection.execute(
            'SELECT value, national_code, "index" FROM observations WHERE '
            "indicator='housing-affordability' AND level='lad' AND code=? AND year=2024",
            (code,),
        ).fetchone()
        assert row[1] == nation
        assert row[2] == pytest.approx(100 * row[0] / source[(nation, 2024.25)])

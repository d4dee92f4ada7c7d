import csv
import math
import statistics

import numpy as np
import pandas as pd
import pytest

from pipeline.catalogue import DATA_DIR
from pipeline.standing import add_standing, band, peer_stats, robust_z


def _frame(values, variant="v"):
    return pd.DataFrame(
        {
            "indicator": "i",
            "variant": variant,
            "level": "lad",
            "year": 2020,
            "code": [f"A{i}" for i in range(len(values))],
            "value": values,
        }
    )


def test_hand_computed_example_higher_is_better() -> None:
    out = add_standing(_frame([10.0, 20.0, 30.0, 40.0, 100.0]), {("i", "v"): "higher"})
    # median 30, absolute deviations 20, 10, 0, 10, 70 -> MAD 10, scale 14.826
    assert out["rank"].tolist() == [5, 4, 3, 2, 1]
    assert out["percentile"].tolist() == [0.0, 25.0, 50.0, 75.0, 100.0]
    assert out["z"].tolist() == pytest.approx(
        [-20 / 14.826, -10 / 14.826, 0.0, 10 / 14.826, 70 / 14.826]
    )
    assert out["band"].tolist() == ["worse", "similar", "similar", "similar", "better"]
    assert (out["of"] == 5).all()


def test_lower_is_better_flips_rank_and_sign() -> None:
    out = add_standing(_frame([10.0, 20.0, 30.0, 40.0, 100.0]), {("i", "v"): "lower"})
    assert out["rank"].tolist() == [1, 2, 3, 4, 5]
    assert out["z"].iloc[0] == pytest.approx(20 / 14.826) and out["band"].iloc[-1] == "worse"


def test_ties_missing_values_and_zero_mad() -> None:
    tied = add_standing(_frame([5.0, 5.0, 3.0, np.nan]), {("i", "v"): "higher"})
    assert tied["rank"].tolist()[:3] == [1, 1, 3] and math.isnan(tied["rank"].iloc[3])
    assert tied["of"].iloc[0] == 3 and tied["band"].iloc[3] is None
    flat = add_standing(_frame([7.0, 7.0, 7.0]), {("i", "v"): "higher"})
    assert flat["z"].isna().all() and flat["band"].tolist() == [None, None, None]
    assert np.isnan(robust_z(np.array([1.0, 1.0]), True)).all() and band(float("nan")) is None


def test_leeds_rank_and_z_score_match_an_independent_computation(data_build) -> None:
    """GDP per head 2019, districts: recomputed from the published CSV with the stdlib."""
    import sqlite3

    connection = sqlite3.connect(data_build.path)
    codes = {c for (c,) in connection.execute("SELECT code FROM areas WHERE set_id = 'ltla-2023'")}
    with open(DATA_DIR / "ons_els/gdp-per-head.csv", encoding="utf-8-sig", newline="") as f:
        values = {
            r["AREACD"]: float(r["Observation"])
            for r in csv.DictReader(f)
            if r["Period"] == "2019"
            and r["Indicator"].endswith("current market price")
            and r["AREACD"] in codes
            and r["Observation"]
        }
    leeds = values["E08000035"]
    median = statistics.median(values.values())
    mad = statistics.median(abs(v - median) for v in values.values())
    expected_rank = 1 + sum(v > leeds for v in values.values())
    stored = connection.execute(
        "SELECT rank, \"of\", z, band FROM observations WHERE indicator = 'gdp-per-head' AND "
        "variant = 'current-prices' AND level = 'lad' AND code = 'E08000035' AND year = 2019"
    ).fetchone()
    assert stored[0] == expected_rank and stored[1] == len(values) == 361
    assert stored[2] == pytest.approx((leeds - median) / (1.4826 * mad))
    assert stored[3] == "better"


def test_peer_stats_equal_each_groups_own_summary() -> None:
    """Every figure of a group equals pandas computed on that group alone: to the last bit for
    the quartiles (Series.quantile, which the stored stats were first made with)."""
    rng = np.random.default_rng(7)
    rows = []
    for indicator in ("a", "b"):
        for year in (2019, 2020, 2021):
            size = int(rng.integers(1, 40))
            values = rng.normal(100, 30, size).round(int(rng.integers(0, 6)))
            values[rng.random(size) < 0.1] = np.nan
            rows += [(indicator, "v", "lad", year, f"E{i:08}", v) for i, v in enumerate(values)]
    # pandas' groupby quantile makes this group's lower quartile 6.000000000000001, not 6.0
    rows += [("c", "v", "lad", 2019, f"E{i:08}", v) for i, v in enumerate((12.89, 1.87, 10.13))]
    joined = pd.DataFrame(rows, columns=["indicator", "variant", "level", "year", "code", "value"])
    stats = peer_stats(joined).set_index(["indicator", "variant", "level", "year"])
    for key, group in joined.dropna(subset=["value"]).groupby(list(stats.index.names)):
        values = group["value"]
        row = stats.loc[key]
        assert row["n"] == values.count()
        assert row["p25"] == values.quantile(0.25) and row["p75"] == values.quantile(0.75)
        assert row["median"] == values.median()
        assert math.isclose(row["mean"], values.mean(), rel_tol=1e-14)  # groupby sums its own way
        assert row["mad"] == (values - values.median()).abs().median()
        assert (row["min"], row["max"]) == (values.min(), values.max())
    assert len(stats) == joined.dropna(subset=["value"]).groupby(list(stats.index.names)).ngroups

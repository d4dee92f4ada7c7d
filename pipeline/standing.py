"""Where each area stands among its peers (same indicator, variant, level and year).

rank        1 = best, respecting polarity; ties share the best rank ("1224" ranking); where
            neither direction is better (polarity "neither") 1 = highest value
of          how many areas have a value
percentile  share of peers it does at least as well as: 100 = best, 0 = worst
z           robust z-score (value - median) / (1.4826 × MAD), sign flipped where lower is
            better, so positive always means better; undefined when MAD is 0
band        "better" (z >= 1), "similar" or "worse" (z <= -1) than the median; "above",
            "similar" or "below" where neither direction is better
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd

MAD_SCALE = 1.4826
BAND_AT = 1.0
GROUP = ["indicator", "variant", "level", "year"]


def robust_z(values: np.ndarray, higher_is_better: bool) -> np.ndarray:
    """Robust z-scores of one group of values (NaN where undefined)."""
    values = np.asarray(values, dtype=float)
    finite = values[np.isfinite(values)]
    if finite.size == 0:
        return np.full(values.shape, np.nan)
    median = np.median(finite)
    mad = np.median(np.abs(finite - median))
    if mad == 0:
        return np.full(values.shape, np.nan)
    z: np.ndarray = (values - median) / (MAD_SCALE * mad)
    return z if higher_is_better else -z


def band(z: float, polarity: str = "higher") -> str | None:
    """better / similar / worse than the median (above / similar / below where neither
    direction is better), or None when z is undefined."""
    if not np.isfinite(z):
        return None
    up, down = ("above", "below") if polarity == "neither" else ("better", "worse")
    return up if z >= BAND_AT else down if z <= -BAND_AT else "similar"


def add_standing(joined: pd.DataFrame, polarity: Mapping[tuple[str, str], str]) -> pd.DataFrame:
    """Add rank, of, percentile, z and band columns (NaN/None where the value is missing).

    `polarity` maps (indicator, variant) to "higher", "lower" or "neither".
    """
    out = joined.copy()
    pairs = list(zip(out["indicator"], out["variant"], strict=True))
    sign = np.array([-1.0 if polarity[p] == "lower" else 1.0 for p in pairs])
    value = out["value"].astype(float)
    keys = [out[c] for c in GROUP]
    signed = value * sign
    rank = signed.groupby(keys).rank(method="min", ascending=False)
    n = value.groupby(keys).transform("count").astype(float)
    median = value.groupby(keys).transform("median")
    mad = (value - median).abs().groupby(keys).transform("median")
    with np.errstate(divide="ignore", invalid="ignore"):
        z = np.where(mad > 0, sign * (value - median) / (MAD_SCALE * mad), np.nan)
        percentile = np.where(n > 1, 100.0 * (n - rank) / (n - 1), 100.0)
    present = value.notna().to_numpy()
    out["rank"] = rank
    out["of"] = np.where(present, n, np.nan)
    out["percentile"] = np.where(present, percentile, np.nan)
    out["z"] = np.where(present, z, np.nan)
    out["band"] = [band(v, polarity[p]) for v, p in zip(out["z"], pairs, strict=True)]
    return out


def peer_stats(joined: pd.DataFrame) -> pd.DataFrame:
    """Summary of each indicator × variant × level × year across its areas (non-null values)."""
    valued = joined[joined["value"].notna()]
    if valued.empty:
        return pd.DataFrame()
    groups = valued.groupby(["indicator", "variant", "level", "year"])["value"]
    stats = groups.agg(n="count", median="median", min="min", max="max", mean="mean")
    values, rows = valued["value"].to_numpy(dtype=float), groups.indices
    # np.percentile on each group's values, as Series.quantile computes them, without a
    # Series per group (pandas' own groupby quantile rounds differently in the last digit)
    stats[["p25", "p75"]] = [np.percentile(values[rows[k]], (25.0, 75.0)) for k in stats.index]
    medians = groups.transform("median")
    stats["mad"] = (
        (valued["value"] - medians)
        .abs()
        .groupby([valued["indicator"], valued["variant"], valued["level"], valued["year"]])
        .median()
    )
    return stats.reset_index()

"""Measure scores: each measure standardised (robust z or distance to frontier) and carried
forward, then laid out per year as an areas × measures matrix on one boundary set."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
import pandas as pd

from pipeline.index.definition import IndexDefinition, Measure, Method

MAD_SCALE = 1.4826
ACTIVE_SHARE = 0.25  # a measure counts in a year when it scores at least this share of areas


def standardise(values: pd.Series, years: pd.Series, direction: str, method: Method) -> pd.Series:
    """Scores of one series (one variant's values over areas and years), better = higher.

    robust-z: (value - median) / (1.4826 × MAD) with the sign turned where lower is better,
    capped at ±cap. frontier: 100 × (value - worst) / (best - worst) with worst and best the
    `trim` and 1 - `trim` quantiles, clipped to 0–100. Medians, MADs and frontiers come from
    every year together ("pooled") or from each year ("year"). NaN where the series has no
    spread.
    """
    signed = values.astype(float) * (-1.0 if direction == "lower" else 1.0)
    groups = pd.Series(0, index=signed.index) if method.reference == "pooled" else years.astype(int)
    out = pd.Series(np.nan, index=signed.index)
    for _, part in signed.groupby(groups):
        finite = part.dropna()
        if finite.empty:
            continue
        if method.scaling == "robust-z":
            median = float(np.median(finite))
            mad = float(np.median(np.abs(finite - median)))
            if mad > 0:
                z = (part - median) / (MAD_SCALE * mad)
                out.loc[part.index] = z.clip(-method.cap, method.cap)
        else:
            worst, best = np.quantile(finite, [method.trim, 1.0 - method.trim])
            if best > worst:
                out.loc[part.index] = (100.0 * (part - worst) / (best - worst)).clip(0.0, 100.0)
    return out


def measure_table(definition: IndexDefinition, observations: pd.DataFrame) -> pd.DataFrame:
    """Every measure's scores per area and year, with values carried forward (flagged).

    `observations`: indicator, variant, code, year, value, set_id at the index's level.
    Returns measure (id), variant, code, year, value, score, from_year (the year the value
    belongs to: earlier than `year` when carried forward), set_id.
    """
    frames = []
    carry = definition.method.carry_forward
    valued = observations[observations["value"].notna()]
    series = {(str(i), str(v)): g for (i, v), g in valued.groupby(["indicator", "variant"])}
    for measure in measure_by_id(definition).values():
        for variant in measure.variants:
            rows = series.get((measure.indicator, variant))
            if rows is None:
                continue
            rows = rows.assign(
                score=standardise(rows["value"], rows["year"], measure.direction, definition.method)
            )
            rows = rows[rows["score"].notna()]
            frames.append(_carried(rows, carry).assign(measure=measure.id, variant=variant))
    columns = ["measure", "variant", "code", "year", "value", "score", "from_year", "set_id"]
    if not frames:
        return pd.DataFrame(columns=columns)
    return pd.concat(frames, ignore_index=True)[columns]


def _carried(rows: pd.DataFrame, carry: int) -> pd.DataFrame:
    """Rows for each published year, plus the following `carry` years where the area has no
    published value (the latest earlier value, its year kept in from_year)."""
    rows = rows.assign(from_year=rows["year"].astype(int), year=rows["year"].astype(int))
    if carry <= 0:
        return rows
    published = set(zip(rows["code"], rows["year"], strict=True))
    extra = []
    for step in range(1, carry + 1):
        moved = rows.assign(year=rows["year"] + step)
        extra.append(
            moved[
                [(c, y) not in published for c, y in zip(moved["code"], moved["year"], strict=True)]
            ]
        )
    candidates = pd.concat(extra, ignore_index=True).sort_values("from_year")
    latest = candidates.drop_duplicates(["code", "year"], keep="last")
    return pd.concat([rows, latest], ignore_index=True)


@dataclass(frozen=True)
class YearMatrix:
    """One year's measure scores on one boundary set: areas × measures."""

    year: int
    set_id: str
    codes: list[str]
    scores: np.ndarray  # areas × measures, NaN where missing
    values: np.ndarray  # the values behind the scores
    from_year: np.ndarray  # the year each value belongs to (NaN where missing)
    variants: np.ndarray  # which alternative variant each area took (object, '' if none)
    active: np.ndarray  # measures published (or carried) for enough areas this year


def target_sets(table: pd.DataFrame, first_year: int) -> dict[int, str]:
    """For each year, the boundary set most of the year's measure values are on."""
    rows = table[table["year"] >= first_year]
    counts = rows.groupby(["year", "set_id"]).size().reset_index(name="n")
    counts = counts.sort_values(["year", "n", "set_id"], ascending=[True, False, False])
    return {int(y): str(s) for y, s in counts.drop_duplicates("year")[["year", "set_id"]].values}


def year_matrices(
    definition: IndexDefinition,
    table: pd.DataFrame,
    set_codes: Mapping[str, set[str]],
) -> list[YearMatrix]:
    """The areas × measures matrix of each year from the index's first year.

    A year is left out when fewer than `min_share` of its values are its own (the rest
    carried forward). A year's areas are the areas of the boundary set most of its values are
    on; a value on
    another set is used only where its code is an area of that set (1:1 recodes were resolved
    when the data were joined), so merged or split areas lack it rather than get a guess.
    """
    measures = list(dict.fromkeys(m.id for m in definition.measures()))
    column = {m: i for i, m in enumerate(measures)}
    out = []
    for year, set_id in sorted(target_sets(table, definition.first_year).items()):
        codes = sorted(set_codes.get(set_id, set()))
        at = {c: i for i, c in enumerate(codes)}
        rows = table[(table["year"] == year) & table["code"].isin(at)]
        shape = (len(codes), len(measures))
        scores, values, from_year = (np.full(shape, np.nan) for _ in range(3))
        variants = np.full(shape, "", dtype=object)
        rows = rows.sort_values("from_year").drop_duplicates(["measure", "code"], keep="last")
        r = rows["code"].map(at).to_numpy(dtype=int)
        c = rows["measure"].map(column).to_numpy(dtype=int)
        scores[r, c] = rows["score"].to_numpy(dtype=float)
        values[r, c] = rows["value"].to_numpy(dtype=float)
        from_year[r, c] = rows["from_year"].to_numpy(dtype=float)
        variants[r, c] = rows["variant"].to_numpy(dtype=object)
        active = np.isfinite(scores).sum(axis=0) >= ACTIVE_SHARE * max(1, len(codes))
        own = np.isfinite(from_year) & (from_year == year)
        if own.sum() < definition.method.min_share * np.isfinite(scores).sum():
            continue  # mostly carried forward: too little of this year is known yet
        out.append(YearMatrix(year, set_id, codes, scores, values, from_year, variants, active))
    return out


def measure_ids(definition: IndexDefinition) -> list[str]:
    """The distinct measures in the order the matrices' columns hold them."""
    return list(dict.fromkeys(m.id for m in definition.measures()))


def measure_by_id(definition: IndexDefinition) -> dict[str, Measure]:
    """Each distinct measure by id."""
    return {m.id: m for m in definition.measures()}

"""Variants computed from other series: per head, share of the UK, share of GDP, totals.

A derived variant divides (or multiplies) one variant of its indicator by another series for
the same area and year: the ONS mid-year population of that year, the same variant's UK
figure, or another indicator's variant. Nothing is carried across years: an area and year
without both figures has no derived value.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

import numpy as np
import pandas as pd

from boundaries.registry import DATA_DIR as BOUNDARY_DATA
from levelup.errors import CatalogueError
from pipeline.catalogue import Indicator, Variant
from pipeline.tidy import TIDY_COLUMNS

POPULATION = ("population", "total")
UK = "K02000001"
ITL_LOOKUP = BOUNDARY_DATA / "lookups/lad24_itl3_itl2_itl1_2025_lookup.csv"


def itl_sums(tidy: pd.DataFrame, lookup: Path = ITL_LOOKUP) -> pd.DataFrame:
    """Totals for ITL 2025 regions summed from their districts (LAD 2024 = LAD 2023 codes).

    A region holding only part of a district (North Ayrshire: Arran and Cumbrae lie in
    TLM20, the mainland in TLM93) gets no figure; a region is summed only in years where
    every one of its districts has a value.
    """
    table = pd.read_csv(lookup, dtype=str, encoding="utf-8-sig")
    rows = tidy[tidy["value"].notna()]
    parts = []
    for column in ("itl3", "itl2", "itl1"):
        members = table[["LAD24CD", column]].drop_duplicates()
        split = members["LAD24CD"].duplicated(keep=False)  # a district in two regions
        members = members[~members[column].isin(set(members.loc[split, column]))]
        need = members.groupby(column)["LAD24CD"].nunique()
        merged = rows.merge(members, left_on="code", right_on="LAD24CD")
        sums = merged.groupby(["variant", column, "year"]).agg(
            value=("value", "sum"), n=("value", "size"), period=("period", "first")
        )
        sums = sums[sums["n"] == need.reindex(sums.index.get_level_values(column)).to_numpy()]
        parts.append(sums.reset_index().rename(columns={column: "code"}))
    if not any(len(p) for p in parts):
        return tidy.iloc[0:0]
    out = pd.concat(parts, ignore_index=True)
    first = rows.iloc[0]
    return pd.DataFrame(
        {
            "indicator": first["indicator"],
            "variant": out["variant"],
            "code": out["code"],
            "name": "",
            "period": out["period"],
            "year": out["year"].astype("int64"),
            "value": out["value"].astype(float),
            "unit": out["variant"].map(
                rows.drop_duplicates("variant").set_index("variant")["unit"]
            ),
            "lower": np.nan,
            "upper": np.nan,
            "status": "summed from districts",
            "source": first["source"],
            "licence": first["licence"],
            "file": str(lookup),
            "line": 0,
        }
    )[TIDY_COLUMNS]


def _series(tidy: pd.DataFrame, variant: str) -> pd.Series:
    rows = tidy[(tidy["variant"] == variant) & tidy["value"].notna()]
    return rows.drop_duplicates(["code", "year"]).set_index(["code", "year"])["value"]


def _other(
    ref: str, indicator: Indicator, tidy: pd.DataFrame, done: Mapping[str, pd.DataFrame]
) -> pd.Series | None:
    """The series `ref` names, by (code, year); None while it is not computed yet."""
    if ref == "population":
        ref = "/".join(POPULATION)
    if ref == "uk":
        raise AssertionError("handled by the caller")
    owner, _, variant = ref.partition("/")
    source = tidy if owner == indicator.id else done.get(owner)
    if source is None or variant not in set(source["variant"]):
        return None
    return _series(source, variant)


def _by_uk(of: pd.Series) -> pd.Series:
    uk = of[of.index.get_level_values("code") == UK].droplevel("code")
    return pd.Series(uk.reindex(of.index.get_level_values("year")).to_numpy(), index=of.index)


def _rows(
    indicator: Indicator, variant: Variant, base: pd.DataFrame, values: pd.Series
) -> pd.DataFrame:
    out = base.set_index(["code", "year"]).loc[values.index].reset_index()
    out["variant"] = variant.id
    out["value"] = values.to_numpy(dtype=float)
    out["unit"] = variant.unit
    out["lower"] = np.nan
    out["upper"] = np.nan
    out["status"] = "derived"
    return out[TIDY_COLUMNS]


def derive_one(
    indicator: Indicator, variant: Variant, tidy: pd.DataFrame, done: Mapping[str, pd.DataFrame]
) -> pd.DataFrame | None:
    """Rows of one derived variant, or None when a series it needs is not ready yet."""
    rule = variant.derive
    assert rule is not None
    if rule.of not in set(tidy["variant"]):
        return None
    of = _series(tidy, rule.of)
    ref = rule.per or rule.times or ""
    other = _by_uk(of) if ref == "uk" else _other(ref, indicator, tidy, done)
    if other is None:
        return None
    other = other.reindex(of.index)
    with np.errstate(divide="ignore", invalid="ignore"):
        values = of * other * rule.scale if rule.times else of / other * rule.scale
    values = values[np.isfinite(values.to_numpy(dtype=float))]
    base = tidy[tidy["variant"] == rule.of].drop_duplicates(["code", "year"])
    return _rows(indicator, variant, base, values)


def add_derived(tidied: dict[str, pd.DataFrame], indicators: list[Indicator]) -> None:
    """Append every derived variant's rows to its indicator's tidy table, in place.

    Derived series may need other derived series (R&D as a share of GDP needs GDP, itself
    GDP per head × population), so passes repeat until nothing more can be computed.
    """
    if POPULATION[0] in tidied:  # weights for ITL regions too
        population = tidied[POPULATION[0]]
        tidied[POPULATION[0]] = pd.concat([population, itl_sums(population)], ignore_index=True)
    pending = [(i, v) for i in indicators for v in i.variants if v.derive]
    while pending:
        waiting = []
        for indicator, variant in pending:
            tidy = tidied.get(indicator.id)
            rows = None if tidy is None else derive_one(indicator, variant, tidy, tidied)
            if rows is None:
                waiting.append((indicator, variant))
            elif not rows.empty:
                tidied[indicator.id] = pd.concat([tidy, rows], ignore_index=True)
        if len(waiting) == len(pending):
            missing = ", ".join(f"{i.id}/{v.id}" for i, v in waiting)
            raise CatalogueError(f"cannot derive {missing}: a series it needs is not built")
        pending = waiting

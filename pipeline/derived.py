"""Figures derived from the joined data: change, index against the nation, populations and
inequality within each country, per indicator, variant, level and year.
"""

from __future__ import annotations

import math
from collections.abc import Iterable

import numpy as np
import pandas as pd

from levelup.measures import inequality
from pipeline.catalogue import Catalogue, Indicator

# ONS national figures, best first: the UK, else Great Britain, England and Wales, England.
ONS_NATIONAL = ("K02000001", "K03000001", "K04000001", "E92000001")
ONS_COUNTRY = "UK"
NO_INEQUALITY_LEVELS = {"nuts0", "uk", "ctry", "cauth"}
MIN_REGIONS = 3


def country_of(code: str, system: str) -> str:
    """The country an area belongs to: the NUTS country prefix, or the UK."""
    return code[:2] if system == "nuts" else ONS_COUNTRY


def national_values(tidy: pd.DataFrame, indicator: Indicator) -> pd.DataFrame:
    """National figure per variant, year (and country for NUTS) with the code it came from."""
    valued = tidy[tidy["value"].notna()]
    if indicator.system == "nuts":
        rows = valued[valued["code"].str.fullmatch(r"[A-Z]{2}")]
        out = (
            rows[["variant", "year", "code", "value"]]
            .rename(columns={"value": "national"})
            .assign(country=rows["code"], national_code=rows["code"])
        )
        return out[["variant", "year", "country", "national", "national_code"]]
    records = []
    candidates = valued[valued["code"].isin(ONS_NATIONAL)]
    for (variant, year), group in candidates.groupby(["variant", "year"]):
        by_code = dict(zip(group["code"], group["value"], strict=True))
        code = next(c for c in ONS_NATIONAL if c in by_code)
        records.append(
            {
                "variant": variant,
                "year": year,
                "country": ONS_COUNTRY,
                "national": by_code[code],
                "national_code": code,
            }
        )
    return pd.DataFrame.from_records(
        records, columns=["variant", "year", "country", "national", "national_code"]
    )


def add_change_and_index(
    joined: pd.DataFrame, nationals: pd.DataFrame, system: str
) -> pd.DataFrame:
    """Add prev_year, change, change_pct (on the previous period with a value), national,
    national_code and index (national figure = 100)."""
    out = joined.copy()
    out["country"] = [country_of(c, system) for c in out["code"]]
    valued = out[out["value"].notna()].sort_values("year")
    keys = ["indicator", "variant", "level", "code"]
    previous = valued.groupby(keys)[["year", "value"]].shift(1)
    out["prev_year"] = previous["year"].reindex(out.index)
    previous_value = previous["value"].reindex(out.index)
    out["change"] = out["value"] - previous_value
    with np.errstate(divide="ignore", invalid="ignore"):
        out["change_pct"] = np.where(
            previous_value.abs() > 0, 100.0 * out["change"] / previous_value.abs(), np.nan
        )
    if nationals.empty:
        out["national"], out["national_code"] = np.nan, None
    else:
        out = out.merge(nationals, on=["variant", "year", "country"], how="left")
    with np.errstate(divide="ignore", invalid="ignore"):
        out["index"] = np.where(
            out["national"].abs() > 0, 100.0 * out["value"] / out["national"], np.nan
        )
    return out.drop(columns=["country"])


def populations(joined: dict[str, pd.DataFrame], catalogue: Catalogue) -> pd.DataFrame:
    """Population per area and year derived as total × scale ÷ per-head value.

    Only for indicators whose catalogue entry names a matching totals indicator.
    """
    frames = []
    for indicator_id, rows in joined.items():
        if indicator_id not in catalogue.indicators:
            continue
        aggregation = catalogue.get(indicator_id).aggregation
        if not aggregation.total or aggregation.total not in joined:
            continue
        variant = aggregation.population_from
        per_head = rows[rows["variant"] == variant][["level", "code", "year", "value"]]
        totals = joined[aggregation.total]
        totals = totals[totals["variant"] == variant][["level", "code", "year", "value"]]
        both = per_head.merge(totals, on=["level", "code", "year"], suffixes=("_head", "_total"))
        both = both[(both["value_head"] > 0) & both["value_total"].notna()]
        frames.append(
            pd.DataFrame(
                {
                    "indicator": indicator_id,
                    "level": both["level"],
                    "code": both["code"],
                    "year": both["year"],
                    "population": both["value_total"] * aggregation.scale / both["value_head"],
                }
            )
        )
    return (
        pd.concat(frames, ignore_index=True)
        if frames
        else pd.DataFrame(columns=["indicator", "level", "code", "year", "population"])
    )


def inequality_table(
    joined: pd.DataFrame, indicator: Indicator, population: pd.DataFrame
) -> pd.DataFrame:
    """Every inequality measure per variant, level, country and year (3 regions or more)."""
    if indicator.aggregation.kind not in ("ratio", "per-head") or joined.empty:
        return pd.DataFrame()
    rows = joined[joined["value"].notna() & ~joined["level"].isin(NO_INEQUALITY_LEVELS)]
    rows = rows.assign(country=[country_of(c, indicator.system) for c in rows["code"]])
    pops = (
        population[population["indicator"] == indicator.id]
        if not population.empty
        else (population)
    )
    if not pops.empty:
        rows = rows.merge(
            pops[["level", "code", "year", "population"]], on=["level", "code", "year"], how="left"
        )
    else:
        rows = rows.assign(population=np.nan)
    records = []
    for (variant, level, country, year), group in rows.groupby(
        ["variant", "level", "country", "year"]
    ):
        if len(group) < MIN_REGIONS:
            continue
        weights = group["population"].to_numpy(dtype=float)
        weighted = bool(np.isfinite(weights).all())
        national = group["national"].dropna()
        source = str(group["national_code"].dropna().iloc[0]) if not national.empty else ""
        national_value = float(national.iloc[0]) if not national.empty else math.nan
        if math.isnan(national_value):  # no published national figure: use the regions' mean
            w = weights if weighted else np.ones(len(group))
            national_value = float(np.sum(group["value"] * w) / np.sum(w))
            source = "mean of regions"
        result = inequality(
            group["value"].to_numpy(dtype=float), weights if weighted else None, national_value
        )
        records.append(
            {
                "indicator": indicator.id,
                "variant": variant,
                "level": level,
                "country": country,
                "year": int(str(year)),
                "regions": result.regions,
                "weighted": int(result.weighted),
                "national": national_value,
                "national_source": source,
                "dispersion": result.dispersion,
                "cv": result.cv,
                "gini": result.gini,
                "theil": result.theil,
                "top_bottom": result.top_bottom,
            }
        )
    return pd.DataFrame.from_records(records)


def concat(frames: Iterable[pd.DataFrame]) -> pd.DataFrame:
    """Concatenate non-empty frames (an empty frame when there are none)."""
    kept = [f for f in frames if not f.empty]
    return pd.concat(kept, ignore_index=True) if kept else pd.DataFrame()

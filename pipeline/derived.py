"""Figures derived from the joined data: change, index against the nation, populations and
inequality within each country, per indicator, variant, level and year.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping

import numpy as np
import pandas as pd

from levelup.measures import inequality
from pipeline.catalogue import Catalogue, Indicator

UK_CODE = "K02000001"
NATIONS = {"E": "E92000001", "W": "W92000004", "S": "S92000003", "N": "N92000002"}
ITL1_NATIONS = {"TLL": "W92000004", "TLM": "S92000003", "TLN": "N92000002"}
ONS_COUNTRY = "UK"
NO_INEQUALITY_LEVELS = {"nuts0", "uk", "ctry", "cauth"}
MIN_REGIONS = 3
# The European Union as Eurostat publishes it: its aggregate's code and member countries.
EU27 = ("AT", "BE", "BG", "CY", "CZ", "DE", "DK", "EE", "EL", "ES", "FI", "FR", "HR", "HU",
        "IE", "IT", "LT", "LU", "LV", "MT", "NL", "PL", "PT", "RO", "SE", "SI", "SK")  # fmt: skip
UNIONS = {"EU27_2020": EU27, "EU28": (*EU27, "UK")}


def country_of(code: str, system: str) -> str:
    """The country an area belongs to: the NUTS country prefix, or the UK."""
    return code[:2] if system == "nuts" else ONS_COUNTRY


def nation_of(code: str) -> str | None:
    """The UK nation an ONS or ITL code lies in (None for the UK and Great Britain)."""
    if code.startswith("TL"):
        return ITL1_NATIONS.get(code[:3], "E92000001")
    if code.startswith("K0"):
        return None
    return NATIONS.get(code[:1])


def national_values(tidy: pd.DataFrame, indicator: Indicator) -> pd.DataFrame:
    """National figures per variant and year with the code they came from.

    NUTS: each country's own figure (column `country` = the country code). ONS: the UK's
    figure (country "UK"); where a variant and year has none, each nation's own figure
    (country = the nation's code), so Welsh areas are indexed to Wales, not England.
    """
    valued = tidy[tidy["value"].notna()]
    columns = ["variant", "year", "country", "national", "national_code"]
    if indicator.system == "nuts":
        rows = valued[valued["code"].str.fullmatch(r"[A-Z]{2}")]
        out = (
            rows[["variant", "year", "code", "value"]]
            .rename(columns={"value": "national"})
            .assign(country=rows["code"], national_code=rows["code"])
        )
        return out[columns]
    candidates = valued[valued["code"].isin([UK_CODE, *NATIONS.values()])]
    records = []
    for (variant, year), group in candidates.groupby(["variant", "year"]):
        by_code = dict(zip(group["code"], group["value"], strict=True))
        if UK_CODE in by_code:
            records.append((variant, year, ONS_COUNTRY, by_code[UK_CODE], UK_CODE))
            continue
        for nation in NATIONS.values():
            if nation in by_code:
                records.append((variant, year, nation, by_code[nation], nation))
    return pd.DataFrame.from_records(records, columns=columns)


def country_values(tidy: pd.DataFrame, system: str) -> pd.DataFrame:
    """Each country's own published figure per variant and year (columns variant, year,
    country_code, country_value): NUTS 0 countries for NUTS, the four UK nations for ONS."""
    valued = tidy[tidy["value"].notna()]
    if system == "nuts":
        rows = valued[valued["code"].str.fullmatch(r"[A-Z]{2}")]
    else:
        rows = valued[valued["code"].isin(list(NATIONS.values()))]
    out = pd.DataFrame(
        {
            "variant": rows["variant"],
            "year": rows["year"],
            "country_code": rows["code"],
            "country_value": rows["value"].astype(float),
        }
    )
    return out.drop_duplicates(["variant", "year", "country_code"])


def add_country_index(joined: pd.DataFrame, countries: pd.DataFrame, system: str) -> pd.DataFrame:
    """Add country_code, country_value and country_index: each area against its own country
    (its NUTS 0 country, or its UK nation) = 100."""
    out = joined.copy()
    out["country_code"] = [
        c[:2] if system == "nuts" else nation_of(c) for c in out["code"].astype(str)
    ]
    out = out.merge(countries, on=["variant", "year", "country_code"], how="left")
    with np.errstate(divide="ignore", invalid="ignore"):
        out["country_index"] = np.where(
            out["country_value"].abs() > 0, 100.0 * out["value"] / out["country_value"], np.nan
        )
    out.loc[out["country_value"].isna(), "country_code"] = None
    return out


def union_figures(tidy: pd.DataFrame) -> tuple[str, pd.DataFrame] | None:
    """The European Union's published figure per variant and year (EU27_2020 or EU28), as
    (code, frame of variant, year, value); None when the source has neither."""
    for code in UNIONS:
        rows = tidy[(tidy["code"] == code) & tidy["value"].notna()]
        if not rows.empty:
            return code, rows[["variant", "year", "value"]].astype({"value": float})
    return None


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
    elif system == "nuts":
        out = out.merge(nationals, on=["variant", "year", "country"], how="left")
    else:  # the UK's figure, else the area's own nation's
        uk = nationals[nationals["country"] == ONS_COUNTRY].drop(columns="country")
        own = nationals[nationals["country"] != ONS_COUNTRY].rename(columns={"country": "nation"})
        out["nation"] = [nation_of(c) for c in out["code"]]
        out = out.merge(uk, on=["variant", "year"], how="left")
        mine = out[["variant", "year", "nation"]].merge(
            own, on=["variant", "year", "nation"], how="left"
        )
        use_own = out["national"].isna().to_numpy()
        for column in ("national", "national_code"):
            out[column] = np.where(use_own, mine[column].to_numpy(), out[column].to_numpy())
        out = out.drop(columns="nation")
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


POPULATION_INDICATOR = "population"
WEIGHT_COLUMNS = ["level", "code", "year", "population"]


def area_populations(tidy: pd.DataFrame | None) -> pd.DataFrame:
    """ONS mid-year populations (all people) per code and year: the weights of every ONS
    indicator's groups and inequality measures (table `area_populations`)."""
    columns = ["code", "year", "population"]
    if tidy is None or tidy.empty:
        return pd.DataFrame(columns=columns)
    rows = tidy[(tidy["variant"] == "total") & tidy["value"].notna()]
    rows = rows.drop_duplicates(["code", "year"])
    return pd.DataFrame(
        {
            "code": rows["code"].to_numpy(dtype=object),
            "year": rows["year"].astype(int).to_numpy(),
            "population": rows["value"].astype(float).to_numpy(),
        }
    )


def weights_for(
    indicator: Indicator,
    joined: pd.DataFrame,
    by_indicator: Mapping[str, pd.DataFrame],
    areas: pd.DataFrame,
) -> pd.DataFrame:
    """Population weights (level, code, year, population) for an indicator's joined rows: its
    own derived populations (Eurostat: `by_indicator`, the populations table split by
    indicator), else for ONS indicators the mid-year estimates of the same year (`areas`)."""
    own = by_indicator.get(indicator.id)
    if own is not None:
        return own[WEIGHT_COLUMNS]
    if indicator.system != "ons" or areas.empty or joined.empty:
        return pd.DataFrame(columns=WEIGHT_COLUMNS)
    keys = joined[["level", "code", "year"]].drop_duplicates()
    return keys.merge(areas, on=["code", "year"])[WEIGHT_COLUMNS]


def inequality_table(
    joined: pd.DataFrame,
    indicator: Indicator,
    pops: pd.DataFrame,
    union: tuple[str, pd.DataFrame] | None = None,
) -> pd.DataFrame:
    """Every inequality measure per variant, level, country and year (3 regions or more),
    population-weighted where `pops` (see `weights_for`) has every region's population.

    With `union` (see `union_figures`) the European Union is one more "country": every region
    of its member states together, against the Union's published figure."""
    if indicator.aggregation.kind == "total" or joined.empty:
        return pd.DataFrame()
    rows = joined[joined["value"].notna() & ~joined["level"].isin(NO_INEQUALITY_LEVELS)]
    rows = rows.assign(country=[country_of(c, indicator.system) for c in rows["code"]])
    if union is not None:
        code, figures = union
        members = rows[rows["country"].isin(UNIONS[code])]
        figures = figures.rename(columns={"value": "national"}).assign(national_code=code)
        members = members.drop(columns=["national", "national_code"]).merge(
            figures, on=["variant", "year"], how="left"
        )
        rows = pd.concat([rows, members.assign(country=code)], ignore_index=True)
    if not pops.empty:
        rows = rows.merge(
            pops[["level", "code", "year", "population"]], on=["level", "code", "year"], how="left"
        )
    else:
        rows = rows.assign(population=np.nan)
    keys = ["variant", "level", "country", "year"]
    rows = rows.sort_values(keys, kind="stable").reset_index(drop=True)
    values = rows["value"].to_numpy(dtype=float)
    population = rows["population"].to_numpy(dtype=float)
    national = rows["national"].to_numpy(dtype=float)
    codes = rows["national_code"].to_numpy(dtype=object)
    starts = np.flatnonzero(~rows.duplicated(keys).to_numpy())
    ends = np.append(starts[1:], len(rows))
    firsts = rows.loc[starts, keys].itertuples(index=False, name=None)  # each group's keys
    records = []
    for start, end, (variant, level, country, year) in zip(starts, ends, firsts, strict=True):
        if end - start < MIN_REGIONS:
            continue
        value, weights = values[start:end], population[start:end]
        weighted = bool(np.isfinite(weights).all())
        whole = codes[start:end] == (UK_CODE if indicator.system == "ons" else country)
        figures = national[start:end][whole]  # one figure for the whole country
        figures = figures[np.isfinite(figures)]
        national_value = float(figures[0]) if figures.size else math.nan
        source = str(codes[start:end][whole][0]) if figures.size else ""
        if math.isnan(national_value):  # no published national figure: use the regions' mean
            w = weights if weighted else np.ones(end - start)
            national_value = float(np.sum(value * w) / np.sum(w))
            source = "mean of regions"
        result = inequality(value, weights if weighted else None, national_value)
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

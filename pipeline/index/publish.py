"""Turn computed indexes and area types into what every indicator has (catalogue entries and
joined rows with standing, so tiles, extracts and the API get them) plus their own tables."""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from boundaries.changes import CodeChanges
from boundaries.registry import Registry
from pipeline.catalogue import INDEX_THEME as THEME
from pipeline.catalogue import Aggregation, Catalogue, Indicator, Source, Variant
from pipeline.index.clusters import Clustering
from pipeline.index.compute import IndexResult
from pipeline.index.definition import IndexDefinition, to_json, to_toml
from pipeline.index.similar import Similarity
from pipeline.join import JoinResult
from pipeline.tidy import TIDY_COLUMNS

AREA_TYPES = "area-types"
# standing columns a category has none of
CATEGORICAL = (
    *("rank", "of", "percentile", "z", "band", "prev_year", "change", "change_pct"),
    *("national", "national_code", "index", "rank_low", "rank_high"),
)
Joiner = Callable[[Indicator, pd.DataFrame, Registry, CodeChanges], JoinResult]


@dataclass
class Published:
    """Indicators and join results to add to a build, and the rows of the index tables."""

    indicators: list[Indicator] = field(default_factory=list)
    results: list[JoinResult] = field(default_factory=list)
    tables: dict[str, pd.DataFrame] = field(default_factory=dict)

    def add_table(self, name: str, rows: pd.DataFrame) -> None:
        """Append rows to one of the extra tables."""
        old = self.tables.get(name)
        self.tables[name] = rows if old is None else pd.concat([old, rows], ignore_index=True)


def _sources(catalogue: Catalogue, pairs: list[tuple[str, str]]) -> tuple[Source, ...]:
    """The source files behind the measures (for provenance and attribution)."""
    out: dict[str, Source] = {}
    for indicator, variant in pairs:
        if indicator in catalogue.indicators:
            for source in catalogue.get(indicator).variant(variant).sources:
                out.setdefault(source.file, source)
    return tuple(out.values())


def index_indicator(definition: IndexDefinition, catalogue: Catalogue) -> Indicator:
    """The catalogue entry of an index: variant "overall", then each domain and pillar."""
    unit = "z-score" if definition.method.scaling == "robust-z" else "score (0-100)"

    def pairs(parts: list[tuple[str, str]]) -> tuple[Source, ...]:
        return _sources(catalogue, parts)

    every = [(m.indicator, v) for m in definition.measures() for v in m.variants]
    variants = [Variant("overall", "Index", unit, "higher", pairs(every), decimals=2)]
    for domain in definition.domains:
        inputs = [(m.indicator, v) for p in domain.pillars for m in p.measures for v in m.variants]
        variants.append(
            Variant(domain.id, f"Domain: {domain.title}", unit, "higher", pairs(inputs), decimals=2)
        )
    for _, pillar in definition.pillars():
        if pillar.measures:
            inputs = [(m.indicator, v) for m in pillar.measures for v in m.variants]
            variants.append(
                Variant(
                    pillar.id, f"Pillar: {pillar.title}", unit, "higher", pairs(inputs), decimals=2
                )
            )
    return Indicator(
        id=definition.id,
        title=definition.title,
        description=definition.description,
        theme=THEME[0],
        unit=unit,
        polarity="higher",
        decimals=2,
        system="ons",
        variants=tuple(variants),
        aggregation=Aggregation(
            kind="none",
            reason="a group's index is not the mean of its areas' scores; compare groups "
            "with /api/indexes/{id}/compare",
        ),
        levels=(definition.level,),
        subtopic="composite index",
        polarity_reason="Higher is better: every measure is turned so that higher is better "
        "before it is scored.",
        caveats="Scores are relative to all districts and years; ranks come with a likely "
        "range (rank_low to rank_high) from a Monte Carlo over the weights.",
    )


def _tidy(indicator: str, rows: pd.DataFrame, names: Mapping[str, str]) -> pd.DataFrame:
    """Rows (variant, code, year, value, lower, upper) as a tidy table the join reads."""
    out = pd.DataFrame(
        {
            "indicator": indicator,
            "variant": rows["variant"].astype(str),
            "code": rows["code"].astype(str),
            "name": rows["code"].map(names).fillna("").astype(str),
            "period": rows["year"].astype(int).astype(str),
            "year": rows["year"].astype(int),
            "value": rows["value"].astype(float),
            "unit": "",
            "lower": rows["lower"].astype(float) if "lower" in rows else np.nan,
            "upper": rows["upper"].astype(float) if "upper" in rows else np.nan,
            "status": "",
            "source": "",
            "licence": "",
            "file": "",
            "line": 0,
        }
    )
    return out[TIDY_COLUMNS]


def publish_index(
    result: IndexResult,
    catalogue: Catalogue,
    registry: Registry,
    changes: CodeChanges,
    names: Mapping[str, str],
    join: Joiner,
    out: Published,
) -> None:
    """Add one computed index: its indicator, joined rows (with rank intervals) and tables."""
    d = result.definition
    indicator = index_indicator(d, catalogue)
    joined = join(indicator, _tidy(d.id, result.scores, names), registry, changes)
    if not joined.joined.empty:
        bounds = result.scores[["variant", "code", "year", "rank_low", "rank_high"]]
        merged = joined.joined.merge(bounds, on=["variant", "code", "year"], how="left")
        joined.joined = merged
    out.indicators.append(indicator)
    out.results.append(joined)
    out.add_table("indexes", pd.DataFrame([index_row(d, result.status)]))
    out.add_table("index_years", _years(d.id, result.years))
    out.add_table("index_inputs", result.inputs.assign(index_id=d.id))


def index_row(definition: IndexDefinition, status: Mapping[str, object]) -> dict[str, object]:
    """The `indexes` row of a definition."""
    return {
        "id": definition.id,
        "title": definition.title,
        "description": definition.description,
        "level": definition.level,
        "source": definition.source,
        "definition": json.dumps(to_json(definition)),
        "toml": to_toml(definition),
        "status": json.dumps(status),
    }


def _years(index_id: str, years: pd.DataFrame) -> pd.DataFrame:
    if years.empty:
        return years
    out = years.assign(index_id=index_id)
    for column in ("measures", "pillars", "domains"):
        out[column] = [json.dumps(v) for v in out[column]]
    return out


def publish_similarity(
    similarity: Similarity,
    neighbours: list[pd.DataFrame],
    clusterings: list[Clustering],
    registry: Registry,
    changes: CodeChanges,
    names: Mapping[str, str],
    join: Joiner,
    out: Published,
) -> None:
    """Add neighbours, the area-types indicator (cluster numbers, no ranks) and profiles."""
    out.add_table(
        "feature_sets",
        pd.DataFrame(
            [
                {
                    "id": s.id,
                    "title": s.title,
                    "description": s.description,
                    "features": json.dumps([f.id for f in s.features]),
                    "ord": n,
                }
                for n, s in enumerate(similarity.sets)
            ]
        ),
    )
    if neighbours:
        out.add_table("neighbours", pd.concat(neighbours, ignore_index=True))
    if not clusterings:
        return
    labels = pd.concat(
        [c.labels.assign(variant=c.set_id, year=c.year) for c in clusterings], ignore_index=True
    )
    indicator = Indicator(
        id=AREA_TYPES,
        title="Area types (clusters)",
        description="Districts grouped into types by k-means on the similar-areas measures "
        "(overall, economic, demographic), year by year; each type is described by the "
        "measures that set it apart (see /api/clusters). Type 1 is the largest.",
        theme=THEME[0],
        unit="type",
        polarity="neither",
        decimals=0,
        system="ons",
        variants=tuple(Variant(s.id, s.title, "type", "neither", ()) for s in similarity.sets),
        aggregation=Aggregation(kind="none", reason="a type is a category, not an amount"),
        levels=(similarity.level,),
        subtopic="area types",
        polarity_reason="A type is a category: no type is better than another.",
    )
    joined = join(
        indicator,
        _tidy(AREA_TYPES, labels.rename(columns={"cluster": "value"}), names),
        registry,
        changes,
    )
    if not joined.joined.empty:
        for column in CATEGORICAL:
            joined.joined[column] = None if column in ("band", "national_code") else np.nan
    out.indicators.append(indicator)
    out.results.append(joined)
    out.add_table(
        "clusterings",
        pd.DataFrame(
            [
                {
                    "feature_set": c.set_id,
                    "year": c.year,
                    "k": c.k,
                    "silhouette": c.silhouette,
                    "scores": json.dumps({str(k): round(v, 4) for k, v in c.scores.items()}),
                }
                for c in clusterings
            ]
        ),
    )
    out.add_table(
        "clusters",
        pd.concat(
            [c.profiles.assign(feature_set=c.set_id, year=c.year) for c in clusterings],
            ignore_index=True,
        ),
    )

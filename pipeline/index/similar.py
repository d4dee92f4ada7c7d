"""Similar areas: each district's nearest neighbours on standardised sets of measures
(similarity.toml), year by year, with scikit-learn doing the scaling and the distances."""

from __future__ import annotations

import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from sklearn.metrics.pairwise import nan_euclidean_distances
from sklearn.preprocessing import StandardScaler
from threadpoolctl import threadpool_limits

from levelup.errors import CatalogueError
from pipeline.index.scores import target_sets

SIMILARITY_TOML = Path(__file__).resolve().parent / "similarity.toml"
TRANSFORMS = ("none", "log")


@dataclass(frozen=True, slots=True)
class Feature:
    """One measure of a similarity set, and how it is transformed before scaling."""

    indicator: str
    variant: str
    transform: str = "none"

    @property
    def id(self) -> str:
        """indicator/variant."""
        return f"{self.indicator}/{self.variant}"


@dataclass(frozen=True, slots=True)
class FeatureSet:
    """A named set of measures districts are compared on."""

    id: str
    title: str
    description: str
    features: tuple[Feature, ...]


@dataclass(frozen=True, slots=True)
class ClusterSettings:
    """k-means settings: k from k_min to k_max by the best mean silhouette width."""

    k_min: int
    k_max: int
    seed: int
    n_init: int
    min_size: int


@dataclass(frozen=True, slots=True)
class Similarity:
    """Everything similarity.toml says."""

    level: str
    first_year: int
    carry_forward: int
    min_share: float
    neighbours: int
    clusters: ClusterSettings
    sets: tuple[FeatureSet, ...]

    def features(self) -> set[tuple[str, str]]:
        """Every (indicator, variant) any set reads."""
        return {(f.indicator, f.variant) for s in self.sets for f in s.features}


def _feature(raw: dict[str, Any], where: str) -> Feature:
    transform = raw.get("transform", "none")
    if transform not in TRANSFORMS:
        raise CatalogueError(f"{where}: transform must be one of {', '.join(TRANSFORMS)}")
    return Feature(str(raw["indicator"]), str(raw["variant"]), transform)


def load_similarity(path: Path = SIMILARITY_TOML) -> Similarity:
    """Read similarity.toml."""
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
        clusters = raw["clusters"]
        sets = tuple(
            FeatureSet(
                s["id"],
                s["title"],
                s.get("description", ""),
                tuple(_feature(f, f"{path}: set {s['id']}") for f in s["measures"]),
            )
            for s in raw["set"]
        )
        return Similarity(
            level=raw.get("level", "lad"),
            first_year=int(raw["first_year"]),
            carry_forward=int(raw["carry_forward"]),
            min_share=float(raw["min_share"]),
            neighbours=int(raw["neighbours"]),
            clusters=ClusterSettings(
                int(clusters["k_min"]),
                int(clusters["k_max"]),
                int(clusters["seed"]),
                int(clusters["n_init"]),
                int(clusters.get("min_size", 1)),
            ),
            sets=sets,
        )
    except (OSError, tomllib.TOMLDecodeError, KeyError, TypeError, ValueError) as exc:
        raise CatalogueError(f"{path}: {exc}") from exc


@cache
def default_similarity() -> Similarity:
    """The shipped similarity sets (read once per process)."""
    return load_similarity()


@dataclass(frozen=True)
class Vectors:
    """One set's standardised vectors for one year: areas × features (NaN where missing)."""

    set_id: str
    year: int
    boundary_set: str
    codes: list[str]
    features: list[str]
    raw: np.ndarray  # the values before transforming and scaling
    scaled: np.ndarray


def _latest(rows: pd.DataFrame, year: int, carry: int) -> pd.DataFrame:
    """Each area's value of `year`, else its latest within `carry` years before."""
    window = rows[(rows["year"] <= year) & (rows["year"] >= year - carry)]
    return window.sort_values("year").drop_duplicates("code", keep="last")


def vectors(
    similarity: Similarity,
    feature_set: FeatureSet,
    observations: pd.DataFrame,
    set_codes: Mapping[str, set[str]],
) -> list[Vectors]:
    """The standardised vectors of every year from `first_year` that has data.

    Each year uses the boundary set most of its values are on; areas with fewer than
    `min_share` of the features are left out. Scaling is scikit-learn's StandardScaler
    (mean 0, standard deviation 1 per feature and year; missing values ignored).
    """
    ids = [f.id for f in feature_set.features]
    valued = observations[observations["value"].notna()]
    series = {f"{i}/{v}": g for (i, v), g in valued.groupby(["indicator", "variant"])}
    present = valued.assign(measure=valued["indicator"] + "/" + valued["variant"])
    present = present[present["measure"].isin(ids)]
    out = []
    for year, boundary in sorted(target_sets(present, similarity.first_year).items()):
        codes = sorted(set_codes.get(boundary, set()))
        at = {c: i for i, c in enumerate(codes)}
        raw = np.full((len(codes), len(ids)), np.nan)
        for j, feature in enumerate(feature_set.features):
            rows = series.get(feature.id)
            if rows is None:
                continue
            latest = _latest(rows[rows["code"].isin(at)], year, similarity.carry_forward)
            raw[latest["code"].map(at).to_numpy(dtype=int), j] = latest["value"].to_numpy()
        usable = np.isfinite(raw).any(axis=0)
        if usable.sum() < similarity.min_share * len(ids):
            continue  # too few of the set's measures exist this year
        keep = np.isfinite(raw).sum(axis=1) >= similarity.min_share * len(ids)
        if keep.sum() < 3:
            continue
        raw = raw[keep]
        transformed = raw.copy()
        for j, feature in enumerate(feature_set.features):
            if feature.transform == "log":
                column = transformed[:, j]
                transformed[:, j] = np.where(
                    column > 0, np.log(np.where(column > 0, column, 1)), np.nan
                )
        with np.errstate(invalid="ignore"):
            scaled = StandardScaler().fit_transform(transformed)
        scaled[:, ~usable] = np.nan
        out.append(
            Vectors(
                feature_set.id,
                year,
                boundary,
                [c for c, k in zip(codes, keep, strict=True) if k],
                ids,
                raw,
                scaled,
            )
        )
    return out


def neighbours(found: Vectors, count: int) -> pd.DataFrame:
    """Each area's `count` nearest areas (distance in standard deviations; ties by code).

    Distances are scikit-learn's nan_euclidean_distances, symmetric by construction.
    """
    with threadpool_limits(limits=1):
        distance = nan_euclidean_distances(found.scaled)
    np.fill_diagonal(distance, np.inf)
    codes = np.asarray(found.codes)
    size = len(codes)
    ties = np.broadcast_to(np.arange(size), distance.shape)  # codes are sorted: ties by code
    order = np.lexsort((ties, distance), axis=-1)[:, : min(count, size - 1)]
    near = np.take_along_axis(distance, order, axis=-1)
    rows = np.broadcast_to(np.arange(size)[:, None], order.shape)
    keep = np.isfinite(near)
    return pd.DataFrame(
        {
            "code": codes[rows[keep]],
            "neighbour": codes[order[keep]],
            "rank": np.broadcast_to(np.arange(1, order.shape[1] + 1), order.shape)[keep],
            "distance": near[keep],
        }
    ).assign(set=found.set_id, year=found.year)

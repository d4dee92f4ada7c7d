"""Compute every index (shipped and the user's), similar areas and area types for a build."""

from __future__ import annotations

import logging
from collections.abc import Iterable
from functools import cache
from pathlib import Path

import pandas as pd

from boundaries.changes import CodeChanges
from boundaries.load import load_codes
from boundaries.registry import Registry
from levelup.errors import InputError
from pipeline.catalogue import Catalogue
from pipeline.index.clusters import Clustering, cluster
from pipeline.index.compute import compute_index
from pipeline.index.definition import IndexDefinition, read_definition
from pipeline.index.inputs import check_measures, from_joined, wanted_pairs
from pipeline.index.publish import (
    AREA_TYPES,
    Joiner,
    Published,
    publish_index,
    publish_similarity,
)
from pipeline.index.similar import Similarity, default_similarity, neighbours, vectors
from pipeline.index.store import load_user_definitions

LOG = logging.getLogger("levelup.index")
SHIPPED = Path(__file__).resolve().parent / "prosperity.toml"


@cache
def shipped_definition() -> IndexDefinition:
    """The shipped index (prosperity.toml)."""
    return read_definition(SHIPPED)


def computed_ids(data_dir: Path) -> set[str]:
    """Ids of the indicators a build computes rather than reads: indexes and area types."""
    users = {d.id for d in load_user_definitions(data_dir)}
    return {shipped_definition().id, AREA_TYPES, *users}


def catalogue_polarity(catalogue: Catalogue) -> dict[tuple[str, str], str]:
    """(indicator, variant) → polarity for every variant of the catalogue."""
    return {(i.id, v.id): v.polarity for i in catalogue.indicators.values() for v in i.variants}


def usable(definition: IndexDefinition, catalogue: Catalogue, built: set[str]) -> bool:
    """Whether every measure of a definition is in the catalogue and the build (a build of a
    few indicators, or a test catalogue, leaves the index out)."""
    polarity = catalogue_polarity(catalogue)
    return all(
        (m.indicator, v) in polarity and m.indicator in built
        for m in definition.measures()
        for v in m.variants
    )


def set_codes(
    registry: Registry, observations: pd.DataFrame
) -> tuple[dict[str, set[str]], dict[str, str]]:
    """Area codes of each boundary set the observations use, and every area's name."""
    codes, names = {}, {}
    for set_id in sorted(set(observations["set_id"])):
        found = load_codes(registry.get(set_id))
        codes[set_id] = set(found)
        names.update(found)
    return codes, names


def titles(catalogue: Catalogue) -> dict[str, str]:
    """A readable title for every indicator/variant (the variant named where there are several)."""
    out = {}
    for indicator in catalogue.indicators.values():
        title = (
            indicator.title
            if indicator.title[:2].isupper()
            else indicator.title[:1].lower() + indicator.title[1:]
        )
        for variant in indicator.variants:
            many = len(indicator.variants) > 1
            out[f"{indicator.id}/{variant.id}"] = (
                f"{title} ({variant.label.lower()})" if many else title
            )
    return out


def build_indexes(
    joined: Iterable[pd.DataFrame],
    catalogue: Catalogue,
    registry: Registry,
    changes: CodeChanges,
    data_dir: Path,
    join: Joiner,
    built: set[str],
    similarity: Similarity | None = None,
) -> Published:
    """Indexes (the shipped one and every saved user definition) whose measures are all in the
    build (`built`: the ids joined), then similar areas and area types, ready to be written."""
    frames = list(joined)
    out = Published()
    polarity = catalogue_polarity(catalogue)
    reasons = {i.id: i.polarity_reason for i in catalogue.indicators.values()}
    definitions = [shipped_definition(), *load_user_definitions(data_dir)]
    for definition in definitions:
        if not usable(definition, catalogue, built):
            continue
        try:
            check_measures(definition, polarity, reasons, definition.id)
        except InputError as exc:  # a saved user definition the catalogue no longer fits
            if definition.source != "user":
                raise
            LOG.warning("skipping index %s: %s", definition.id, exc)
            continue
        observations = from_joined(frames, definition.level, wanted_pairs([definition]))
        if observations.empty:
            continue
        codes, names = set_codes(registry, observations)
        result = compute_index(definition, observations, codes)
        publish_index(result, catalogue, registry, changes, names, join, out)
    similarity = similarity or default_similarity()
    if all(pair in polarity and pair[0] in built for pair in similarity.features()):
        similar(similarity, frames, catalogue, registry, changes, join, out)
    return out


def similar(
    similarity: Similarity,
    frames: list[pd.DataFrame],
    catalogue: Catalogue,
    registry: Registry,
    changes: CodeChanges,
    join: Joiner,
    out: Published,
) -> None:
    """Neighbours and clusters of every feature set and year."""
    observations = from_joined(frames, similarity.level, similarity.features())
    if observations.empty:
        return
    codes, names = set_codes(registry, observations)
    found_neighbours: list[pd.DataFrame] = []
    clusterings: list[Clustering] = []
    named = titles(catalogue)
    for feature_set in similarity.sets:
        for found in vectors(similarity, feature_set, observations, codes):
            found_neighbours.append(neighbours(found, similarity.neighbours))
            clusterings.append(cluster(found, similarity.clusters, named))
    publish_similarity(
        similarity, found_neighbours, clusterings, registry, changes, names, join, out
    )

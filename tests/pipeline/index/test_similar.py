"""Similar areas and area types: distances checked against scipy, symmetric, stable across
runs; k chosen by the silhouette as stated; types described by what sets them apart."""

import numpy as np
import pandas as pd
import pytest
from scipy.spatial.distance import cdist
from sklearn.metrics import silhouette_score

from pipeline.index.clusters import cluster
from pipeline.index.similar import (
    ClusterSettings,
    Feature,
    FeatureSet,
    Similarity,
    neighbours,
    vectors,
)

SETTINGS = ClusterSettings(k_min=2, k_max=5, seed=3, n_init=5, min_size=2)


def _similarity(features: tuple[Feature, ...], min_share: float = 0.6) -> Similarity:
    return Similarity(
        "lad", 2019, 1, min_share, 4, SETTINGS, (FeatureSet("s1", "S", "", features),)
    )


def _observations(seed: int = 0, areas: int = 30, year: int = 2020) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    centres = np.array([[0, 0, 0], [5, 5, 0], [0, 5, 5]])
    rows = []
    for i in range(areas):
        point = centres[i % 3] + rng.normal(0, 0.6, 3)
        for j, value in enumerate(point):
            rows.append(
                {
                    "indicator": f"f{j}",
                    "variant": "v",
                    "code": f"A{i:02d}",
                    "year": year,
                    "value": float(np.exp(value)) if j == 0 else float(value),
                    "set_id": "b",
                }
            )
    return pd.DataFrame(rows)


FEATURES = (Feature("f0", "v", "log"), Feature("f1", "v"), Feature("f2", "v"))


def _vectors(observations: pd.DataFrame, min_share: float = 0.6):
    codes = {"b": set(observations["code"])}
    similarity = _similarity(FEATURES, min_share)
    return vectors(similarity, similarity.sets[0], observations, codes)


def test_vectors_are_log_transformed_and_standardised() -> None:
    [found] = _vectors(_observations())
    assert found.year == 2020 and found.scaled.shape == (30, 3)
    assert np.allclose(found.scaled.mean(axis=0), 0) and np.allclose(found.scaled.std(axis=0), 1)
    logged = np.log(found.raw[:, 0])
    assert np.allclose(found.scaled[:, 0], (logged - logged.mean()) / logged.std())


def test_neighbours_are_the_nearest_by_euclidean_distance_and_symmetric() -> None:
    [found] = _vectors(_observations())
    table = neighbours(found, 4)
    full = cdist(found.scaled, found.scaled)  # a second implementation: scipy
    at = {c: i for i, c in enumerate(found.codes)}
    for row in table.itertuples():
        assert row.distance == pytest.approx(full[at[row.code], at[row.neighbour]])
    for code, group in table.groupby("code"):
        others = sorted(full[at[code]][[at[c] for c in found.codes if c != code]])
        assert group["distance"].tolist() == pytest.approx(others[:4])
    pairs = {(r.code, r.neighbour): r.distance for r in table.itertuples()}
    mutual = [(a, b) for a, b in pairs if (b, a) in pairs]
    assert mutual and all(pairs[(a, b)] == pytest.approx(pairs[(b, a)]) for a, b in mutual)


def test_neighbours_and_clusters_are_stable_across_runs() -> None:
    [one] = _vectors(_observations())
    [two] = _vectors(_observations())
    pd.testing.assert_frame_equal(neighbours(one, 4), neighbours(two, 4))
    first, second = cluster(one, SETTINGS, {}), cluster(two, SETTINGS, {})
    pd.testing.assert_frame_equal(first.labels, second.labels)


def test_missing_measures_are_compared_on_the_rest() -> None:
    observations = _observations()
    gap = (observations["code"] == "A00") & (observations["indicator"] == "f2")
    [found] = _vectors(observations[~gap])
    assert np.isnan(found.scaled[0, 2])
    table = neighbours(found, 3)
    assert len(table[table["code"] == "A00"]) == 3
    [strict] = _vectors(observations[~gap], min_share=0.8)  # 2 of 3 measures is too few
    assert "A00" not in strict.codes and len(strict.codes) == 29


def test_k_is_the_best_silhouette_and_types_are_numbered_by_size() -> None:
    [found] = _vectors(_observations())
    result = cluster(found, SETTINGS, {"f1/v": "feature one"})
    assert result.k == 3  # three planted groups
    assert result.k == max(result.scores, key=result.scores.get)
    labels = result.labels.set_index("code").loc[found.codes, "cluster"].to_numpy()
    assert result.silhouette == pytest.approx(silhouette_score(found.scaled, labels))
    sizes = result.profiles.sort_values("cluster")["size"].tolist()
    assert sizes == sorted(sizes, reverse=True) and sum(sizes) == 30
    # each planted group is one type
    for start in range(3):
        assert len(set(labels[start::3])) == 1


def test_types_are_described_by_the_measures_that_set_them_apart() -> None:
    [found] = _vectors(_observations())
    result = cluster(
        found, SETTINGS, {"f0/v": "feature zero", "f1/v": "feature one", "f2/v": "feature two"}
    )
    for profile in result.profiles.itertuples():
        members = result.labels[result.labels["cluster"] == profile.cluster]["code"]
        rows = [found.codes.index(c) for c in members]
        means = found.scaled[rows].mean(axis=0)
        top = int(np.argmax(np.abs(means)))
        word = "Higher" if means[top] > 0 else "Lower"
        assert profile.description.startswith(
            f"{word} {['feature zero', 'feature one', 'feature two'][top]}"
        )

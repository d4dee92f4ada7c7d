"""Area types: k-means clusters of the similarity vectors (scikit-learn), k chosen by the mean
silhouette width, each cluster described by the measures that set it apart."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
import pandas as pd
from sklearn.cluster import KMeans
from sklearn.impute import KNNImputer
from sklearn.metrics import silhouette_score
from threadpoolctl import threadpool_limits

from pipeline.index.similar import ClusterSettings, Vectors

DESCRIBED_BY = 3  # measures named in a cluster's description


@dataclass
class Clustering:
    """One set's clusters for one year."""

    set_id: str
    year: int
    k: int
    silhouette: float
    scores: dict[int, float]  # mean silhouette width of every k tried
    labels: pd.DataFrame  # code, cluster (1 = the largest)
    profiles: pd.DataFrame  # cluster, size, description, features (JSON)


def cluster(found: Vectors, settings: ClusterSettings, titles: Mapping[str, str]) -> Clustering:
    """k-means for every k from k_min to k_max (fixed seed); keep the k with the highest mean
    silhouette width (the smaller k on a tie) among those whose smallest cluster has at least
    `min_size` areas (a cluster of one outlier is not an area type). Gaps are filled by
    KNNImputer (5 neighbours)."""
    usable = np.isfinite(found.scaled).any(axis=0)
    names = [f for f, u in zip(found.features, usable, strict=True) if u]
    scores: dict[int, float] = {}
    labels: dict[int, np.ndarray] = {}
    # one thread: OpenMP threads fighting over a busy machine's cores make k-means 50× slower
    with threadpool_limits(limits=1):
        data = KNNImputer(n_neighbors=5).fit_transform(found.scaled[:, usable])
        for k in range(settings.k_min, min(settings.k_max, len(data) - 1) + 1):
            model = KMeans(n_clusters=k, random_state=settings.seed, n_init=settings.n_init)
            labels[k] = model.fit_predict(data)
            scores[k] = float(silhouette_score(data, labels[k]))
    sized = [k for k in scores if np.bincount(labels[k]).min() >= settings.min_size]
    best = max(sized or scores, key=lambda k: (round(scores[k], 12), -k))
    renumbered = _by_size(labels[best], found.codes)
    frame = pd.DataFrame({"code": found.codes, "cluster": renumbered})
    raw = found.raw[:, usable]
    profiles = [
        _profile(c, renumbered == c, data, raw, names, titles) for c in sorted(set(renumbered))
    ]
    return Clustering(
        found.set_id, found.year, best, scores[best], scores, frame, pd.DataFrame(profiles)
    )


def _by_size(labels: np.ndarray, codes: list[str]) -> np.ndarray:
    """Cluster numbers 1, 2, … from the largest cluster down (ties: the first code)."""
    keys = []
    for label in set(labels.tolist()):
        members = [c for c, lab in zip(codes, labels, strict=True) if lab == label]
        keys.append((-len(members), min(members), label))
    order = {label: n for n, (_, _, label) in enumerate(sorted(keys), start=1)}
    return np.array([order[lab] for lab in labels.tolist()])


def _profile(
    number: int,
    members: np.ndarray,
    data: np.ndarray,
    raw: np.ndarray,
    names: list[str],
    titles: Mapping[str, str],
) -> dict[str, object]:
    """What sets a cluster apart: its mean standardised value per measure; the measures
    furthest from 0 describe it, with the cluster's and everyone's medians."""
    mean = data[members].mean(axis=0)
    order = np.argsort(-np.abs(mean), kind="stable")
    features = []
    for j in order:
        features.append(
            {
                "measure": names[j],
                "title": titles.get(names[j], names[j]),
                "z": round(float(mean[j]), 3),
                "median": _median(raw[members, j]),
                "median_all": _median(raw[:, j]),
            }
        )
    parts = [f"{'higher' if f['z'] > 0 else 'lower'} {f['title']}" for f in features[:DESCRIBED_BY]]
    return {
        "cluster": number,
        "size": int(members.sum()),
        "description": _sentence(parts),
        "features": json.dumps(features),
    }


def _median(values: np.ndarray) -> float | None:
    finite = values[np.isfinite(values)]
    return float(np.median(finite)) if finite.size else None


def _sentence(parts: list[str]) -> str:
    if not parts:
        return ""
    text = parts[0] if len(parts) == 1 else f"{', '.join(parts[:-1])} and {parts[-1]}"
    return text[0].upper() + text[1:]

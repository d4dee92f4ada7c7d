"""Measures → pillars → domains → index as weighted means, for one set of weights or for many
at once (the Monte Carlo draws), with the missing-value rule applied at every level."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from pipeline.index.definition import IndexDefinition
from pipeline.index.scores import measure_ids

EPS = 1e-9


@dataclass(frozen=True)
class Structure:
    """The index's tree as arrays: slots (a measure in a pillar), pillars and domains."""

    slot_measure: np.ndarray  # measure column of each slot
    slot_pillar: np.ndarray  # pillar of each slot
    pillar_domain: np.ndarray  # domain of each pillar
    slot_weight: np.ndarray
    pillar_weight: np.ndarray
    domain_weight: np.ndarray
    pillar_ids: list[str]
    domain_ids: list[str]
    measure_count: int

    @classmethod
    def of(cls, definition: IndexDefinition) -> Structure:
        """Arrays for a definition (pillars without measures are left out: they are empty)."""
        column = {m: i for i, m in enumerate(measure_ids(definition))}
        slots_m, slots_p, pillar_d = [], [], []
        slot_w: list[float] = []
        pillar_w: list[float] = []
        pillar_ids: list[str] = []
        domain_ids = [d.id for d in definition.domains]
        for k, domain in enumerate(definition.domains):
            for pillar in domain.pillars:
                if not pillar.measures:
                    continue
                p = len(pillar_ids)
                pillar_ids.append(pillar.id)
                pillar_d.append(k)
                pillar_w.append(pillar.weight)
                for measure in pillar.measures:
                    slots_m.append(column[measure.id])
                    slots_p.append(p)
                    slot_w.append(measure.weight)
        return cls(
            slot_measure=np.array(slots_m, dtype=int),
            slot_pillar=np.array(slots_p, dtype=int),
            pillar_domain=np.array(pillar_d, dtype=int),
            slot_weight=np.array(slot_w, dtype=float),
            pillar_weight=np.array(pillar_w, dtype=float),
            domain_weight=np.array([d.weight for d in definition.domains], dtype=float),
            pillar_ids=pillar_ids,
            domain_ids=domain_ids,
            measure_count=len(column),
        )


@dataclass(frozen=True)
class Levels:
    """Scores at every level for D weightings: pillars D×A×P, domains D×A×K, index D×A."""

    pillars: np.ndarray
    domains: np.ndarray
    index: np.ndarray


def _one_hot(parent: np.ndarray, size: int) -> np.ndarray:
    out = np.zeros((len(parent), size))
    out[np.arange(len(parent)), parent] = 1.0
    return out


def _combine(
    scores: np.ndarray,
    weights: np.ndarray,
    membership: np.ndarray,
    min_share: float | None,
    valid: np.ndarray | None,
) -> tuple[np.ndarray, np.ndarray]:
    """Weighted means of children into parents.

    scores: A×C (the same for every weighting) or D×A×C; weights: D×C (0 = left out or not
    published); membership: C×P one-hot. An area gets a parent's score when the children it
    has carry at least `min_share` of the parent's weight (any weight when None); `valid`
    (A×P) limits it further. Returns (D×A×P scores, D×P weight of each parent).
    """
    if scores.ndim == 2:
        scores = scores[None]
    present = np.isfinite(scores)
    filled = np.where(present, scores, 0.0)
    split = weights[:, :, None] * membership[None]  # D×C×P
    num = np.matmul(filled, split)  # D×A×P
    den = np.matmul(present.astype(float), split)
    total = split.sum(axis=1)  # D×P
    if min_share is None:
        ok = den > EPS
    else:
        ok = (den >= min_share * total[:, None, :] - EPS) & (total[:, None, :] > EPS)
    if valid is not None:
        ok &= valid[None]
    with np.errstate(invalid="ignore", divide="ignore"):
        out = np.where(ok, num / np.where(den > EPS, den, 1.0), np.nan)
    return out, total


def aggregate(
    structure: Structure,
    scores: np.ndarray,
    active: np.ndarray,
    slot_weights: np.ndarray,
    pillar_weights: np.ndarray,
    domain_weights: np.ndarray,
    *,
    min_share: float | None,
    valid: Levels | None = None,
) -> Levels:
    """Pillar, domain and index scores of one year's areas × measures `scores`.

    `active` marks measures published that year; the weights are D×S, D×P and D×K (one row
    per weighting). A pillar (domain) with no active measure (pillar) that year drops out of
    its parent's weights. With `valid` (the nominal run's results) an area keeps exactly the
    scores it has there, whatever is left out.
    """
    s = structure
    slot_scores = scores[:, s.slot_measure]
    slot_w = slot_weights * active[s.slot_measure][None]
    pillars, pillar_total = _combine(
        slot_scores,
        slot_w,
        _one_hot(s.slot_pillar, len(s.pillar_ids)),
        min_share,
        None if valid is None else np.isfinite(valid.pillars[0]),
    )
    pillar_w = pillar_weights * (pillar_total > EPS)
    domains, domain_total = _combine(
        pillars,
        pillar_w,
        _one_hot(s.pillar_domain, len(s.domain_ids)),
        min_share,
        None if valid is None else np.isfinite(valid.domains[0]),
    )
    domain_w = domain_weights * (domain_total > EPS)
    index, _ = _combine(
        domains,
        domain_w,
        np.ones((len(s.domain_ids), 1)),
        min_share,
        None if valid is None else np.isfinite(valid.index[0])[:, None],
    )
    return Levels(pillars, domains, index[:, :, 0])


def nominal(
    structure: Structure, scores: np.ndarray, active: np.ndarray, min_share: float
) -> Levels:
    """The index under the stated weights (one weighting, the missing-value rule applied)."""
    s = structure
    return aggregate(
        s,
        scores,
        active,
        s.slot_weight[None],
        s.pillar_weight[None],
        s.domain_weight[None],
        min_share=min_share,
    )

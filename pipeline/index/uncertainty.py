"""Rank intervals: the index re-run under seeded random weights, leaving one measure out in
turn, and the central share of the ranks each area gets."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from pipeline.index.aggregate import Levels, Structure, aggregate
from pipeline.index.definition import Uncertainty

CHUNK = 200  # draws aggregated at once (memory: CHUNK × areas × pillars floats)


@dataclass(frozen=True)
class Draws:
    """The weightings of every draw (the same for every year) and the measure each leaves out
    (-1: none)."""

    slot: np.ndarray  # D×S
    pillar: np.ndarray  # D×P
    domain: np.ndarray  # D×K
    left_out: np.ndarray  # D


def make_draws(structure: Structure, settings: Uncertainty) -> Draws:
    """Seeded draws: each weight × U(1 - spread, 1 + spread); draw i leaves out measure
    i mod (M + 1), none when that is M (so each measure is left out about D / (M + 1) times)."""
    rng = np.random.default_rng(settings.seed)
    d, s = settings.draws, structure
    low, high = 1.0 - settings.spread, 1.0 + settings.spread
    slot = s.slot_weight[None] * rng.uniform(low, high, (d, len(s.slot_weight)))
    pillar = s.pillar_weight[None] * rng.uniform(low, high, (d, len(s.pillar_weight)))
    domain = s.domain_weight[None] * rng.uniform(low, high, (d, len(s.domain_weight)))
    left_out = np.full(d, -1)
    if settings.leave_one_out and s.measure_count:
        turn = np.arange(d) % (s.measure_count + 1)
        left_out = np.where(turn < s.measure_count, turn, -1)
        slot = slot * (s.slot_measure[None] != left_out[:, None])
    return Draws(slot, pillar, domain, left_out)


def ranks(scores: np.ndarray) -> np.ndarray:
    """Ranks along the last axis, 1 = highest, ties sharing the best rank ("1224", as the
    standing of every indicator); NaN ranks last."""
    filled = np.where(np.isfinite(scores), -scores, np.inf)
    order = np.argsort(filled, axis=-1, kind="stable")
    ordered = np.take_along_axis(filled, order, axis=-1)
    position = np.broadcast_to(np.arange(ordered.shape[-1]), ordered.shape)
    starts = np.ones(ordered.shape, dtype=bool)
    starts[..., 1:] = ordered[..., 1:] != ordered[..., :-1]
    first = np.maximum.accumulate(np.where(starts, position, 0), axis=-1)  # a tie's first place
    out = np.empty(ordered.shape)
    np.put_along_axis(out, order, first + 1.0, axis=-1)
    return out


@dataclass(frozen=True)
class Interval:
    """Per area: the rank under the stated weights and the likely range of ranks, and the
    same range for the score."""

    rank: np.ndarray
    rank_low: np.ndarray
    rank_high: np.ndarray
    score_low: np.ndarray
    score_high: np.ndarray


def _interval(point: np.ndarray, drawn: np.ndarray, coverage: float) -> Interval:
    """point: A scores (NaN = not scored); drawn: D×A scores of the same areas."""
    scored = np.isfinite(point)
    out = [np.full(point.shape, np.nan) for _ in range(5)]
    if not scored.any():
        return Interval(*out)
    tail = (1.0 - coverage) / 2.0
    rank_point = ranks(point[scored])
    drawn = drawn[:, scored]
    if drawn.shape[0] == 0:  # no draws: the interval is the point
        drawn = point[scored][None]
    rank_drawn = ranks(drawn)
    low, high = np.quantile(rank_drawn, [tail, 1.0 - tail], axis=0, method="inverted_cdf")
    # a draw that left out all of an area's inputs to this part says nothing about its score
    known = np.where(np.isfinite(drawn), drawn, point[scored][None])
    s_low, s_high = np.quantile(known, [tail, 1.0 - tail], axis=0, method="inverted_cdf")
    out[0][scored] = rank_point
    out[1][scored] = np.minimum(low, rank_point)  # the stated weights are one of the runs
    out[2][scored] = np.maximum(high, rank_point)
    out[3][scored] = np.minimum(s_low, point[scored])
    out[4][scored] = np.maximum(s_high, point[scored])
    return Interval(*out)


def intervals(
    structure: Structure,
    scores: np.ndarray,
    active: np.ndarray,
    point: Levels,
    draws: Draws,
    coverage: float,
) -> dict[str, Interval]:
    """Rank and score intervals of the index ("overall"), each domain and each pillar.

    Every draw keeps the areas the stated weights score (and only those), so ranks are
    always among the same areas.
    """
    count = len(draws.left_out)
    shape = (count, scores.shape[0])
    index = np.empty(shape)
    domains = np.empty((*shape, len(structure.domain_ids)))
    pillars = np.empty((*shape, len(structure.pillar_ids)))
    for start in range(0, count, CHUNK):
        part = slice(start, start + CHUNK)
        levels = aggregate(
            structure,
            scores,
            active,
            draws.slot[part],
            draws.pillar[part],
            draws.domain[part],
            min_share=None,
            valid=point,
        )
        index[part], domains[part], pillars[part] = levels.index, levels.domains, levels.pillars
    out = {"overall": _interval(point.index[0], index, coverage)}
    for k, domain in enumerate(structure.domain_ids):
        out[domain] = _interval(point.domains[0, :, k], domains[:, :, k], coverage)
    for p, pillar in enumerate(structure.pillar_ids):
        out[pillar] = _interval(point.pillars[0, :, p], pillars[:, :, p], coverage)
    return out

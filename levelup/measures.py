"""Inequality measures and group aggregates: pure functions of values and weights (numpy only).

Weights are populations when the source lets us derive them (Eurostat: GDP ÷ GDP per head);
otherwise every region weighs the same and results say so ("unweighted").

dispersion   Eurostat's dispersion of regional GDP per inhabitant: the population-weighted
             mean absolute deviation of regional values from the national figure, as a
             percentage of the national figure
cv           coefficient of variation: weighted standard deviation ÷ weighted mean, in %
gini         Gini coefficient of the weighted distribution of regional values (0 to 1)
theil        Theil T index (0 = perfect equality)
top_bottom   average value of the top fifth of the population ÷ that of the bottom fifth
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

Values = Sequence[float] | np.ndarray


def _clean(values: Values, weights: Values | None) -> tuple[np.ndarray, np.ndarray]:
    y = np.asarray(values, dtype=float)
    w = np.ones_like(y) if weights is None else np.asarray(weights, dtype=float)
    keep = np.isfinite(y) & np.isfinite(w) & (w > 0)
    return y[keep], w[keep]


def weighted_mean(values: Values, weights: Values | None = None) -> float:
    """Weighted arithmetic mean (NaN when empty)."""
    y, w = _clean(values, weights)
    return float(np.sum(y * w) / np.sum(w)) if y.size else math.nan


def dispersion(values: Values, weights: Values | None, national: float) -> float:
    """Σ |y_i − Y| · w_i / Σ w_i, as a percentage of the national figure Y."""
    y, w = _clean(values, weights)
    if not y.size or not national:
        return math.nan
    return float(100.0 * np.sum(np.abs(y - national) * w) / np.sum(w) / national)


def cv(values: Values, weights: Values | None = None) -> float:
    """Weighted coefficient of variation, in percent."""
    y, w = _clean(values, weights)
    if y.size < 2:
        return math.nan
    mean = np.sum(y * w) / np.sum(w)
    variance = np.sum(w * (y - mean) ** 2) / np.sum(w)
    return float(100.0 * math.sqrt(variance) / mean) if mean else math.nan


def gini(values: Values, weights: Values | None = None) -> float:
    """Weighted Gini: Σ_i Σ_j w_i w_j |y_i − y_j| / (2 (Σ w)² · mean)."""
    y, w = _clean(values, weights)
    if y.size < 2:
        return math.nan
    mean = np.sum(y * w) / np.sum(w)
    differences = np.abs(y[:, None] - y[None, :])
    return float(np.sum(w[:, None] * w[None, :] * differences) / (2 * np.sum(w) ** 2 * mean))


def theil(values: Values, weights: Values | None = None) -> float:
    """Theil T: Σ s_i (y_i / μ) ln(y_i / μ) with population shares s_i (values must be > 0)."""
    y, w = _clean(values, weights)
    if y.size < 2 or np.any(y <= 0):
        return math.nan
    share = w / np.sum(w)
    ratio = y / np.sum(share * y)
    return float(np.sum(share * ratio * np.log(ratio)))


def _fifth_mean(y: np.ndarray, w: np.ndarray, top: bool) -> float:
    order = np.argsort(y)[::-1] if top else np.argsort(y)
    y, w = y[order], w[order]
    target = 0.2 * np.sum(w)
    taken, total = 0.0, 0.0
    for value, weight in zip(y, w, strict=True):
        part = min(weight, target - taken)
        if part <= 0:
            break
        taken += part
        total += part * value
    return total / taken if taken else math.nan


def top_bottom(values: Values, weights: Values | None = None) -> float:
    """Mean value of the top fifth of the population over that of the bottom fifth.

    Regions are split at the 20% boundaries by population (a region straddling the line counts
    in part), so the ratio does not depend on how many regions a country has.
    """
    y, w = _clean(values, weights)
    if y.size < 2:
        return math.nan
    bottom = _fifth_mean(y, w, top=False)
    return _fifth_mean(y, w, top=True) / bottom if bottom else math.nan


@dataclass(frozen=True, slots=True)
class Inequality:
    """Every measure for one country, level and year."""

    regions: int
    weighted: bool
    national: float
    dispersion: float
    cv: float
    gini: float
    theil: float
    top_bottom: float


def inequality(values: Values, weights: Values | None, national: float) -> Inequality:
    """All the measures at once."""
    y, w = _clean(values, weights)
    used = None if weights is None else w
    return Inequality(
        regions=int(y.size),
        weighted=weights is not None,
        national=national,
        dispersion=dispersion(y, used, national),
        cv=cv(y, used),
        gini=gini(y, used),
        theil=theil(y, used),
        top_bottom=top_bottom(y, used),
    )


@dataclass(frozen=True, slots=True)
class GroupValue:
    """The value of a group of areas, how it was obtained, and how complete it is."""

    value: float
    method: str
    members: int
    present: int


def group_value(
    values: Values,
    totals: Values | None = None,
    populations: Values | None = None,
    kind: str = "ratio",
) -> GroupValue:
    """Aggregate members properly, or not at all.

    kind "total": values are totals, summed. Otherwise, with totals and populations for every
    member: Σ totals ÷ Σ populations. kind "per-head" (values per resident) with populations
    for every member: the population-weighted mean (the same figure). Anything else has no
    value, and the method says why: a median or plain mean of members is not the group's
    figure. A group missing a member's value has no value either (a partial sum would
    mislead).
    """
    y = np.asarray(values, dtype=float)
    present = int(np.isfinite(y).sum())
    members = int(y.size)
    if present < members or members == 0:
        return GroupValue(math.nan, "incomplete: not every member has a value", members, present)
    if kind == "total":
        return GroupValue(float(np.sum(y)), "sum of members", members, present)
    p = None if populations is None else np.asarray(populations, dtype=float)
    have_people = p is not None and bool(np.isfinite(p).all()) and float(np.sum(p)) > 0
    if totals is not None and p is not None and have_people:
        t = np.asarray(totals, dtype=float)
        if np.isfinite(t).all():
            return GroupValue(
                float(np.sum(t) / np.sum(p)), "total ÷ population of members", members, present
            )
    if kind == "per-head" and p is not None and have_people:
        return GroupValue(
            float(np.sum(y * p) / np.sum(p)), "population-weighted mean", members, present
        )
    reason = (
        "no population for every member this year"
        if kind == "per-head" or totals is not None
        else "the source gives no totals and populations to add the members up"
    )
    return GroupValue(math.nan, f"not aggregated: {reason}", members, present)

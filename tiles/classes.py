"""Class breaks for choropleths: quantiles over every year, rounded to readable numbers."""

from __future__ import annotations

import math

import numpy as np

CLASSES = 5


def round_significant(value: float, digits: int = 3) -> float:
    """Round to `digits` significant figures (0 stays 0)."""
    if value == 0 or not math.isfinite(value):
        return value
    return round(value, digits - 1 - math.floor(math.log10(abs(value))))


def quantile_breaks(values: np.ndarray, classes: int = CLASSES) -> tuple[float, ...]:
    """Inner breaks splitting `values` into up to `classes` groups of similar size.

    Computed per tileset (one year), so the map shows where places stand that year and the
    time slider shows places moving relative to each other; absolute change over time is
    read from the area's chart. Breaks are rounded to three significant figures and kept
    strictly increasing (fewer classes when values repeat).
    """
    finite = np.asarray(values, dtype=float)
    finite = finite[np.isfinite(finite)]
    if finite.size == 0:
        return ()
    raw = np.quantile(finite, np.linspace(0, 1, classes + 1)[1:-1])
    breaks: list[float] = []
    for q in raw:
        nice = round_significant(float(q))
        if (not breaks or nice > breaks[-1]) and finite.min() < nice <= finite.max():
            breaks.append(nice)
    return tuple(breaks)


def classify(values: np.ndarray, breaks: tuple[float, ...]) -> np.ndarray:
    """Class index per value (0 = lowest); -1 where the value is missing."""
    values = np.asarray(values, dtype=float)
    classes = np.searchsorted(np.asarray(breaks, dtype=float), values, side="right")
    return np.where(np.isfinite(values), classes, -1).astype(np.int64)

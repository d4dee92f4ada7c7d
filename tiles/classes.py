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


# Half-widths of the "against its country" classes, in index points: the smallest that holds
# four fifths of the areas' distances from their country (100), so the map shows spread.
COUNTRY_SPREADS = (2.0, 4.0, 8.0, 12.0, 20.0, 40.0, 60.0)


def country_breaks(index: np.ndarray) -> tuple[float, ...]:
    """Breaks of the diverging "against its country" classes (country = 100): 100 ∓ s and
    100 ∓ s/4, with s the smallest of COUNTRY_SPREADS covering 80% of |index − 100|."""
    finite = np.asarray(index, dtype=float)
    finite = finite[np.isfinite(finite)]
    if finite.size == 0:
        return ()
    reach = float(np.quantile(np.abs(finite - 100.0), 0.8))
    spread = next((s for s in COUNTRY_SPREADS if s >= reach), COUNTRY_SPREADS[-1])
    return (100.0 - spread, 100.0 - spread / 4, 100.0 + spread / 4, 100.0 + spread)

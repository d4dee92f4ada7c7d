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


# "Against its country" classes are symmetric in ratio: far below (under 100/F), below,
# close (within the fourth root of F of 100), above, far above (over 100·F); F is the smallest
# of these factors holding two thirds of the areas, so the map shows where they spread.
COUNTRY_FACTORS = (1.05, 1.1, 1.2, 1.25, 1.5, 2.0, 3.0)
COUNTRY_SPREADS = (2.0, 4.0, 8.0, 12.0, 20.0, 40.0, 60.0)  # index points, for signed values


def country_breaks(index: np.ndarray) -> tuple[float, ...]:
    """Breaks of the diverging "against its country" classes (the country = 100).

    Positive indexes: 100/F, 100/F^¼, 100·F^¼, 100·F (see COUNTRY_FACTORS). Where some are
    zero or negative (a change can be), ratios mean nothing: 100 ∓ s and 100 ∓ s/4 instead,
    with s the smallest of COUNTRY_SPREADS holding four fifths of the areas."""
    finite = np.asarray(index, dtype=float)
    finite = finite[np.isfinite(finite)]
    if finite.size == 0:
        return ()
    if (finite > 0).all():
        reach = float(np.exp(np.quantile(np.abs(np.log(finite / 100.0)), 2 / 3)))
        factor = next((f for f in COUNTRY_FACTORS if f >= reach), COUNTRY_FACTORS[-1])
        inner = factor**0.25
        return tuple(round(v, 1) for v in (100 / factor, 100 / inner, 100 * inner, 100 * factor))
    reach = float(np.quantile(np.abs(finite - 100.0), 0.8))
    spread = next((s for s in COUNTRY_SPREADS if s >= reach), COUNTRY_SPREADS[-1])
    return (100.0 - spread, 100.0 - spread / 4, 100.0 + spread / 4, 100.0 + spread)

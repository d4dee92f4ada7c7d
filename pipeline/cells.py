"""Numeric cells as published: flags (p, e, b…), ':' and other missing markers, 1,234 separators."""

from __future__ import annotations

import math
import re

import numpy as np
import pandas as pd

# Eurostat flags: b break, c confidential, d definition differs, e estimated, f forecast,
# i see metadata, n not significant, p provisional, r revised, s Eurostat estimate,
# u low reliability, z not applicable.
FLAG_LETTERS = "bcdefinprsuz"
MISSING_MARKERS = frozenset(
    {"", ":", "..", ".", "-", "x", "c", "u", "z", "na", "n/a", "*", "[x]", "[c]", "[z]", "[u]"}
)

_CELL = re.compile(
    r"^(?P<num>[-+]?(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d*)?(?:[eE][-+]?\d+)?|[-+]?\.\d+)?"
    rf"\s*(?P<flag>[{FLAG_LETTERS}]{{0,4}})$"
)
_MISSING_FLAGGED = re.compile(rf"^:\s*(?P<flag>[{FLAG_LETTERS}]{{1,4}})$")


def parse_cell(text: str) -> tuple[float, str] | None:
    """Parse one cell to (value, flag); NaN for a missing marker; None when not a number."""
    value = text.strip()
    if value.lower() in MISSING_MARKERS:
        return math.nan, "" if value in ("", ":") else value.lower()
    if match := _MISSING_FLAGGED.match(value):
        return math.nan, match["flag"]
    match = _CELL.match(value)
    if match is None or match["num"] is None:
        return None
    number = float(match["num"].replace(",", ""))
    if not math.isfinite(number):
        return None
    return number, match["flag"]


def parse_column(texts: pd.Series) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Parse a column of cells: (values float64, flags, ok mask). Fast path for plain numbers."""
    plain = pd.to_numeric(texts, errors="coerce")
    values = np.array(plain.to_numpy(dtype="float64", na_value=np.nan), copy=True)
    flags = np.full(len(texts), "", dtype=object)
    ok = np.ones(len(texts), dtype=bool)
    slow = np.flatnonzero(np.isnan(values) | ~np.isfinite(values))
    raw = texts.to_numpy(dtype=object)
    for i in slow:
        cell = raw[i]
        parsed = parse_cell("" if cell is None or cell is pd.NA else str(cell))
        if parsed is None:
            ok[i] = False
        else:
            values[i], flags[i] = parsed
    return values, flags, ok

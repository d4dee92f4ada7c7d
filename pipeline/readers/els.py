"""ONS Explore Local Statistics datasets: JSON of parallel arrays, periods labelled as ELS does.

Each file holds `areacd`, `value`, `lci`, `uci` and `xDomainNumb` (ELS's decimal position of
a period on its time axis, e.g. 2025.25 for April 2025) plus the dataset's numeric `id`. The
period behind each decimal year, and ELS's label for it, come from
`periods_for_each_indicator.csv` beside the files. ELS reuses some ids for more than one
dataset, so a dataset's periods are taken from that table only when it lists every decimal
year the dataset has; otherwise the period is read off the decimal year itself (whole years,
or the month the fraction stands for).

Series published more often than yearly (quarters, months) keep one period a year: the same
quarter or month every year (the one published in most years; on a tie, the one of the
latest period), so that seasonal series compare like with like on the year slider.
"""

from __future__ import annotations

import csv
import json
import math
from collections import Counter, defaultdict
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import pandas as pd

from levelup.errors import MissingColumnError, UnreadableFileError
from pipeline.readers.table import LINE, RawTable

PERIODS_FILE = "periods_for_each_indicator.csv"
PERIOD_LABEL = "_period_label"
ARRAYS = ("areacd", "value", "xDomainNumb")


@dataclass(frozen=True, slots=True)
class ElsPeriod:
    """One period as ELS publishes it: an ISO 8601 date or interval and its label."""

    iso: str
    label: str


@cache
def period_table(folder: Path) -> dict[int, dict[float, ElsPeriod]]:
    """ELS's periods per dataset id and decimal year (empty when the table is absent)."""
    path = folder / PERIODS_FILE
    if not path.is_file():
        return {}
    table: dict[int, dict[float, ElsPeriod]] = defaultdict(dict)
    with path.open(encoding="utf-8-sig", newline="") as handle:
        for row in csv.DictReader(handle):
            table[int(row["id"])][float(row["xDomainNumb"])] = ElsPeriod(
                row["period"].strip(), row["label"].strip()
            )
    return dict(table)


def decimal_period(x: float) -> ElsPeriod:
    """The period a decimal year stands for when ELS gives no label: a year or a month."""
    year = math.floor(x)
    month = round((x - year) * 12)
    if month == 0:
        return ElsPeriod(str(year), str(year))
    names = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
    return ElsPeriod(f"{year}-{month + 1:02d}", f"{names[month]} {year}")


def one_period_per_year(xs: set[float]) -> set[float]:
    """Keep one decimal year per calendar year: the same fraction (quarter, month) each year."""
    years = Counter(math.floor(x) for x in xs)
    if all(n == 1 for n in years.values()):
        return set(xs)
    fractions: dict[float, set[int]] = defaultdict(set)
    for x in xs:
        fractions[round(x - math.floor(x), 4)].add(math.floor(x))
    latest = round(max(xs) - math.floor(max(xs)), 4)
    best = max(fractions, key=lambda f: (len(fractions[f]), f == latest, f))
    return {x for x in xs if round(x - math.floor(x), 4) == best}


def _arrays(path: Path) -> dict[str, Any]:
    try:
        data = json.loads(path.read_text(encoding="utf-8-sig"))
    except OSError as exc:
        raise UnreadableFileError(f"cannot read file: {exc.strerror or exc}", path=path) from exc
    except ValueError as exc:
        raise UnreadableFileError(f"not valid JSON: {exc}", path=path) from exc
    if not isinstance(data, dict):
        raise UnreadableFileError("expected a JSON object of parallel arrays", path=path)
    for key in ARRAYS:
        if not isinstance(data.get(key), list):
            raise MissingColumnError(f"array {key!r} is missing", path=path, line=1, column=key)
    length = len(data["areacd"])
    for key in (*ARRAYS, "lci", "uci"):
        if key in data and data[key] is not None and len(data[key]) != length:
            raise UnreadableFileError(
                f"array {key!r} has {len(data[key])} entries, 'areacd' has {length}",
                path=path,
                column=key,
            )
    return data


def _text(value: object) -> str:
    return "" if value is None else str(value)


def read_els(path: Path) -> RawTable:
    """Read an ELS dataset into code, period, label, value, lower and upper text columns.

    `_line` holds the entry's position in the arrays (1 = first), so errors name the entry.
    """
    data = _arrays(path)
    xs = data["xDomainNumb"]
    for at, x in enumerate(xs):
        if not isinstance(x, int | float) or isinstance(x, bool):
            raise UnreadableFileError(
                f"xDomainNumb {x!r} is not a number", path=path, line=at + 1, column="xDomainNumb"
            )
    kept = one_period_per_year(set(xs))
    known = period_table(path.parent).get(int(data.get("id", -1)), {})
    labelled = all(x in known for x in kept)
    periods = {x: known[x] if labelled else decimal_period(x) for x in kept}
    length = len(data["areacd"])
    lower, upper = data.get("lci") or [None] * length, data.get("uci") or [None] * length
    rows = [
        (
            str(code).strip(),
            periods[x].iso,
            periods[x].label,
            _text(value),
            _text(low),
            _text(high),
            at + 1,
        )
        for at, (code, value, x, low, high) in enumerate(
            zip(data["areacd"], data["value"], xs, lower, upper, strict=True)
        )
        if x in periods
    ]
    frame = pd.DataFrame(
        rows, columns=["code", "period", PERIOD_LABEL, "value", "lower", "upper", LINE]
    )
    frame[LINE] = frame[LINE].astype("int64")
    headers = {"code": "areacd", "period": "xDomainNumb", "value": "value"}
    headers |= {"lower": "lci", "upper": "uci"}
    return RawTable(path=path, frame=frame, headers=headers, encoding="utf-8")

"""Normalise reader output into the one tidy table every later step uses."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable

import numpy as np
import pandas as pd

from levelup.errors import BadValueError, DuplicateRowError, MissingColumnError
from pipeline.catalogue import Indicator, Source, Variant
from pipeline.cells import parse_column
from pipeline.periods import Period, parse_period
from pipeline.readers.els import PERIOD_LABEL
from pipeline.readers.eurostat import COLUMN
from pipeline.readers.table import LINE, RawTable

TIDY_COLUMNS = [
    "indicator",
    "variant",
    "code",
    "name",
    "period",
    "year",
    "value",
    "unit",
    "lower",
    "upper",
    "status",
    "source",
    "licence",
    "file",
    "line",
]


def empty_tidy() -> pd.DataFrame:
    """An empty tidy table with the right columns and dtypes."""
    return _typed(pd.DataFrame({c: [] for c in TIDY_COLUMNS}))


def _typed(frame: pd.DataFrame) -> pd.DataFrame:
    floats = dict.fromkeys(("value", "lower", "upper"), "float64")
    ints = {"year": "int64", "line": "int64"}
    text = {c: object for c in TIDY_COLUMNS if c not in floats and c not in ints}
    return frame.astype({**floats, **ints, **text})[TIDY_COLUMNS]


def _select(table: RawTable, source: Source) -> pd.DataFrame:
    frame = table.frame
    for column, allowed in source.filter:
        if column not in frame.columns:
            raise MissingColumnError(
                f"filter column {column!r} is missing", path=table.path, line=1, column=column
            )
        frame = frame[frame[column].astype(str).str.strip().isin(allowed)]
    codes = frame["code"].astype(str).str.strip()
    if source.code_pattern:
        keep = codes.str.match(source.code_pattern)
        frame, codes = frame[keep], codes[keep]
    frame = frame.assign(code=codes)
    return frame[frame["code"] != ""]


def _numbers(
    table: RawTable, frame: pd.DataFrame, column: str, required: bool
) -> tuple[np.ndarray, np.ndarray]:
    if column not in frame.columns:
        if required:
            table.require(column)
        return np.full(len(frame), np.nan), np.full(len(frame), "", dtype=object)
    values, flags, ok = parse_column(frame[column].fillna("").astype(str))
    if not ok.all():
        bad = int(np.flatnonzero(~ok)[0])
        row = frame.iloc[bad]
        header = row[COLUMN] if COLUMN in frame.columns else table.header(column)
        raise BadValueError(
            f"{str(row[column]).strip()!r} is neither a number nor a known flag or missing marker",
            path=table.path,
            line=int(row[LINE]),
            column=header,
        )
    return values, flags


def _periods(table: RawTable, frame: pd.DataFrame) -> list[Period]:
    texts = frame["period"].astype(str).str.strip()
    parsed: dict[str, Period] = {}
    for text in texts.unique():
        try:
            parsed[text] = parse_period(text)
        except ValueError as exc:
            line = int(frame.loc[texts == text, LINE].iloc[0])
            raise BadValueError(
                str(exc), path=table.path, line=line, column=table.header("period")
            ) from exc
    return [parsed[t] for t in texts]


def _status(frame: pd.DataFrame, flags: np.ndarray) -> np.ndarray:
    if "status" not in frame.columns:
        return flags
    published = frame["status"].fillna("").astype(str).str.strip().to_numpy(dtype=object)
    return np.where(published != "", published, flags)


def tidy_source(
    table: RawTable, source: Source, indicator: Indicator, variant: Variant
) -> pd.DataFrame:
    """Rows of one source for one variant, as a tidy table (values are floats, never strings)."""
    frame = _select(table, source)
    values, flags = _numbers(table, frame, "value", required=True)
    lower, _ = _numbers(table, frame, "lower", required=False)
    upper, _ = _numbers(table, frame, "upper", required=False)
    periods = _periods(table, frame)
    labels = (
        frame[PERIOD_LABEL].astype(str).to_numpy(dtype=object)
        if PERIOD_LABEL in frame.columns
        else [p.label for p in periods]
    )
    names = frame["name"].astype(str).str.strip() if "name" in frame.columns else ""
    provenance = source.provenance
    out = pd.DataFrame(
        {
            "indicator": indicator.id,
            "variant": variant.id,
            "code": frame["code"].to_numpy(dtype=object),
            "name": names if isinstance(names, str) else names.to_numpy(dtype=object),
            "period": labels,
            "year": np.array([p.year for p in periods], dtype="int64"),
            "value": values,
            "unit": variant.unit,
            "lower": lower,
            "upper": upper,
            "status": _status(frame, flags),
            "source": provenance.publisher if provenance else "",
            "licence": provenance.licence.title if provenance else "",
            "file": str(table.path),
            "line": frame[LINE].to_numpy(dtype="int64"),
        }
    )
    return _typed(out)


def _same(values: pd.Series) -> bool:
    present = values.dropna()
    all_equal = bool((present == present.iloc[0]).all()) if not present.empty else True
    return present.empty or (all_equal and len(present) == len(values))


def check_duplicates(tidy: pd.DataFrame) -> pd.DataFrame:
    """Drop exact repeats; raise DuplicateRowError when one area and year has two values."""
    keys = ["indicator", "variant", "code", "year"]
    dup = tidy.duplicated(keys, keep=False)
    if not dup.any():
        return tidy
    for _, group in tidy[dup].groupby(keys, sort=False):
        if not _same(group["value"]) or group["period"].nunique() > 1:
            first, second = group.iloc[0], group.iloc[1]
            where = f"line {second['line']}"
            if second["file"] != first["file"]:
                where += f" of {second['file']}"
            raise DuplicateRowError(
                f"area {first['code']} has two values for {first['period']}"
                f" ({first['value']} and, at {where}, {second['value']}"
                f"{'' if first['period'] == second['period'] else ' for ' + second['period']})",
                path=first["file"],
                line=int(first["line"]),
                column="value",
            )
    return tidy.drop_duplicates(keys, keep="first")


def tidy_indicator(
    indicator: Indicator,
    read: Callable[[Source], RawTable],
    variants: Iterable[Variant] | None = None,
) -> pd.DataFrame:
    """All variants of one indicator as one tidy table (duplicates checked per variant)."""
    parts = [
        tidy_source(read(source), source, indicator, variant)
        for variant in (variants or indicator.variants)
        for source in variant.sources
    ]
    parts = [p for p in parts if not p.empty]
    if not parts:
        return empty_tidy()
    return check_duplicates(pd.concat(parts, ignore_index=True))


def code_filter(pattern: str) -> Callable[[str], bool]:
    """A predicate for codes matching a regular expression."""
    compiled = re.compile(pattern)
    return lambda code: compiled.match(code) is not None

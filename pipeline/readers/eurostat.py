"""Eurostat wide tables: bulk TSV (`unit,geo\\time` first column) or CSV with year columns."""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd

from levelup.errors import UnreadableFileError
from pipeline.readers.table import LINE, RawTable, canonical, csv_rows, decode

YEAR = re.compile(r"^\s*(\d{4})\s*$")
TIME_SUFFIX = re.compile(r"\\\s*(time|time_period)\s*$", re.IGNORECASE)
COLUMN = "_column"


def _split_tsv(text: str, path: Path) -> tuple[list[str], list[list[str]], list[int]]:
    """Bulk TSV: first cell holds comma-joined dimensions, the rest are tab-separated years."""
    header, rows, lines = csv_rows(text, delimiter="\t")
    if not header:
        raise UnreadableFileError("file is empty", path=path)
    dims = TIME_SUFFIX.sub("", header[0]).split(",")
    out_rows = []
    for row, line in zip(rows, lines, strict=True):
        keys = row[0].split(",")
        if len(keys) != len(dims):
            raise UnreadableFileError(
                f"first cell {row[0]!r} has {len(keys)} dimensions, header has {len(dims)}",
                path=path,
                line=line,
                column=header[0],
            )
        out_rows.append(keys + row[1:])
    return dims + header[1:], out_rows, lines


def read_eurostat(path: Path) -> RawTable:
    """Read a wide Eurostat table into long form: dimensions, period, value text, line, column."""
    text, encoding = decode(path)
    first = text.split("\n", 1)[0]
    if "\t" in first:
        header, rows, lines = _split_tsv(text, path)
    else:
        header, rows, raw_lines = csv_rows(text)
        lines = raw_lines
        header = [TIME_SUFFIX.sub("", h) for h in header]
    years = [i for i, h in enumerate(header) if YEAR.match(h)]
    dims = [i for i, h in enumerate(header) if not YEAR.match(h)]
    if not years:
        raise UnreadableFileError("no year columns (e.g. 2019) in the header", path=path, line=1)
    names = [canonical(header[i]) for i in dims]
    if "code" not in names:
        raise UnreadableFileError("no geo column in the header", path=path, line=1, column="geo")
    records = []
    for row, line in zip(rows, lines, strict=True):
        padded = row + [""] * (len(header) - len(row))
        keys = [padded[i].strip() for i in dims]
        for i in years:
            records.append((*keys, header[i].strip(), padded[i], line, header[i].strip()))
    frame = pd.DataFrame(records, columns=[*names, "period", "value", LINE, COLUMN], dtype=object)
    frame[LINE] = frame[LINE].astype("int64")
    headers = {canonical(header[i]): header[i] for i in dims}
    return RawTable(path=path, frame=frame, headers=headers, encoding=encoding)

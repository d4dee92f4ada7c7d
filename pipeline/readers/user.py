"""A user's table read through its saved layout (layout.json beside the stored copy)."""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd

from levelup.errors import MissingColumnError
from pipeline.readers.eurostat import COLUMN
from pipeline.readers.layout import Layout
from pipeline.readers.sheet import Sheet, read_sheet
from pipeline.readers.table import LINE, RawTable

LAYOUT = "layout.json"
CURRENCY = re.compile(r"^[£€$]\s*")
# "1 234" (a space as thousands separator) and trailing per cent signs are read as numbers.
SPACED = re.compile(r"^-?\d{1,3}( \d{3})+(\.\d+)?$")


def clean_number(text: str) -> str:
    """Strip what people type round numbers: currency signs, %, spaced thousands."""
    value = CURRENCY.sub("", text.strip())
    if value.endswith("%"):
        value = value[:-1].strip()
    if SPACED.match(value):
        value = value.replace(" ", "")
    return value


def read_user(path: Path, limit_mb: float = 1024.0) -> RawTable:
    """Long rows (code, name, period, value, measure, line, column) from a stored user table."""
    layout = Layout.load(path.with_name(LAYOUT))
    chosen = (lambda found: found.name == layout.sheet) if layout.sheet else None
    return user_table(read_sheet(path, limit_mb, prefer=chosen), layout)


def user_table(sheet: Sheet, layout: Layout) -> RawTable:
    """Long rows from a sheet already read, through its layout."""
    path = sheet.path
    index = {h: i for i, h in enumerate(sheet.header)}
    needed = [layout.code_column, *layout.value_columns]
    needed += [c for c in (layout.period_column, layout.name_column) if c]
    for column in needed:
        if column not in index:
            raise MissingColumnError(
                "column named in the layout is missing",
                path=path,
                line=sheet.header_line,
                column=column,
            )
    records = []
    for row, line in zip(sheet.rows, sheet.lines, strict=True):
        code = row[index[layout.code_column]].strip().upper()
        name = row[index[layout.name_column]].strip() if layout.name_column else ""
        for column in layout.value_columns:
            if layout.format == "wide-years":
                period = column
                measure = "value"
            else:
                period = (
                    row[index[layout.period_column]]
                    if layout.period_column
                    else layout.period or ""
                )
                measure = column if layout.format == "wide-indicators" else "value"
            records.append(
                (
                    code,
                    name,
                    period.strip(),
                    clean_number(row[index[column]]),
                    measure,
                    line,
                    column,
                )
            )
    frame = pd.DataFrame(
        records, columns=["code", "name", "period", "value", "measure", LINE, COLUMN], dtype=object
    )
    frame[LINE] = frame[LINE].astype("int64")
    headers = {
        "code": layout.code_column,
        "period": layout.period_column or "period",
        "value": "value",
    }
    return RawTable(path=path, frame=frame, headers=headers, encoding=sheet.encoding)

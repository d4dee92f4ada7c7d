"""The Subnational Indicators Explorer machine-readable CSV: preamble lines, then the header."""

from __future__ import annotations

from pathlib import Path

from levelup.errors import UnreadableFileError
from pipeline.readers.table import RawTable, canonical, csv_rows, decode, frame_from_rows

SEARCH_LINES = 20


def _header_line(lines: list[str]) -> int:
    """Index of the first line whose first cell is an area-code header."""
    for index, line in enumerate(lines[:SEARCH_LINES]):
        first = line.split(",", 1)[0].strip().strip('"')
        if canonical(first) == "code":
            return index
    raise UnreadableFileError(f"no header row with AREACD in the first {SEARCH_LINES} lines")


def read_subnational(path: Path) -> RawTable:
    """Read the explorer CSV (cp1252, disclaimer on line 1, blank line, header on line 3)."""
    text, encoding = decode(path)
    lines = text.splitlines(keepends=True)
    try:
        skip = _header_line(lines)
        header, rows, numbers = csv_rows("".join(lines[skip:]), first_line=skip + 1)
    except UnreadableFileError as exc:
        raise UnreadableFileError(exc.message, path=path, line=exc.line) from exc
    frame, headers = frame_from_rows(path, header, rows, numbers, skip + 1)
    table = RawTable(path=path, frame=frame, headers=headers, encoding=encoding)
    table.require("code", "period", "value")
    return table

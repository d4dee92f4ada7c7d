"""ONS tidy CSVs (Explore Local Statistics): one row per area, period and measure."""

from __future__ import annotations

from pathlib import Path

from levelup.errors import UnreadableFileError
from pipeline.readers.table import RawTable, csv_rows, decode, frame_from_rows


def read_ons(path: Path) -> RawTable:
    """Read an ONS tidy CSV: BOM or not, any column case, header on the first line."""
    text, encoding = decode(path)
    try:
        header, rows, lines = csv_rows(text, first_line=1)
    except UnreadableFileError as exc:
        raise UnreadableFileError(exc.message, path=path, line=exc.line) from exc
    if not header:
        raise UnreadableFileError("file is empty", path=path)
    frame, headers = frame_from_rows(path, header, rows, lines)
    table = RawTable(path=path, frame=frame, headers=headers, encoding=encoding)
    table.require("code", "period", "value")
    return table

"""Text decoding, CSV rows with their true line numbers, and the RawTable they become."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from levelup.errors import MissingColumnError, UnreadableFileError

ENCODINGS = ("utf-8-sig", "cp1252", "latin-1")
LINE = "_line"

# Normalised header (lower case, single spaces) -> canonical column name.
ALIASES = {
    "areacd": "code",
    "area code": "code",
    "geo": "code",
    "areanm": "name",
    "area name": "name",
    "observation": "value",
    "obs value": "value",
    "variable name": "variable",
    "lower confidence interval (95%)": "lower",
    "lower confidence interval 95": "lower",
    "upper confidence interval (95%)": "upper",
    "upper confidence interval 95": "upper",
    "observation status": "status",
}


def normalise_header(header: str) -> str:
    """Lower-case a header, turn underscores into spaces, collapse runs of whitespace."""
    return re.sub(r"\s+", " ", header.replace("_", " ").strip().lower())


def canonical(header: str) -> str:
    """Canonical column name for a source header."""
    key = normalise_header(header)
    return ALIASES.get(key, key)


@dataclass
class RawTable:
    """A table of text cells with canonical column names, its file and source line numbers."""

    path: Path
    frame: pd.DataFrame
    headers: dict[str, str] = field(default_factory=dict)
    encoding: str = "utf-8"

    def require(self, *columns: str) -> None:
        """Raise MissingColumnError naming the file and the first missing column."""
        for column in columns:
            if column not in self.frame.columns:
                present = ", ".join(self.headers.get(c, c) for c in self.frame.columns if c != LINE)
                raise MissingColumnError(
                    f"required column {column!r} is missing (columns present: {present})",
                    path=self.path,
                    line=1,
                    column=column,
                )

    def header(self, column: str) -> str:
        """The header as written in the file for a canonical column."""
        return self.headers.get(column, column)


def decode(path: Path, encodings: Iterable[str] = ENCODINGS) -> tuple[str, str]:
    """Read a text file, trying UTF-8 (with or without BOM), then cp1252, then latin-1."""
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise UnreadableFileError(f"cannot read file: {exc.strerror or exc}", path=path) from exc
    if b"\x00" in data[:65536]:
        raise UnreadableFileError("not a text file (binary content)", path=path)
    for encoding in encodings:
        try:
            return data.decode(encoding), encoding
        except UnicodeDecodeError:
            continue
    raise UnreadableFileError("cannot decode the file as text", path=path)


def csv_rows(
    text: str, *, delimiter: str = ",", first_line: int = 1
) -> tuple[list[str], list[list[str]], list[int]]:
    """Split CSV text into (header, rows, line numbers); quoted newlines keep lines right."""
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    header: list[str] | None = None
    rows: list[list[str]] = []
    lines: list[int] = []
    start = 1
    try:
        for row in reader:
            if header is None:
                header = row
            elif any(cell.strip() for cell in row):
                rows.append(row)
                lines.append(start + first_line - 1)
            start = reader.line_num + 1
    except csv.Error as exc:
        raise UnreadableFileError(
            f"malformed CSV: {exc}", line=reader.line_num + first_line - 1
        ) from exc
    return header or [], rows, lines


def frame_from_rows(
    path: Path, header: list[str], rows: list[list[str]], lines: list[int], header_line: int = 1
) -> tuple[pd.DataFrame, dict[str, str]]:
    """Build a DataFrame of strings with canonical column names and a line-number column."""
    names = [canonical(h) for h in header]
    duplicated = {n for n in names if names.count(n) > 1 and n}
    if duplicated:
        raise UnreadableFileError(
            f"duplicate columns after normalising headers: {', '.join(sorted(duplicated))}",
            path=path,
            line=header_line,
        )
    width = len(names)
    for row, line in zip(rows, lines, strict=True):
        if len(row) > width and any(cell.strip() for cell in row[width:]):
            raise UnreadableFileError(
                f"row has {len(row)} cells but the header has {width}", path=path, line=line
            )
    padded = [(row + [""] * width)[:width] for row in rows]
    frame = pd.DataFrame(padded, columns=names, dtype=object)
    frame = frame.loc[:, [n for n in names if n]]
    frame[LINE] = lines
    headers = {canonical(h): h.strip() for h in header if canonical(h)}
    return frame, headers

"""Read a user's CSV or XLSX as rows of text cells, safely: nothing in the file is executed.

CSV goes through the csv module (UTF-8 with or without BOM, then cp1252); XLSX through
openpyxl in read-only mode with cached values only, so formulas are never evaluated (a formula
cell reads as its last saved value, or as nothing). Files over the size limit are refused
before they are read, and rows, columns and unpacked workbook size are capped while reading,
so a small file cannot claim a huge table.
"""

from __future__ import annotations

import csv
import io
import zipfile
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from xml.etree.ElementTree import ParseError

from levelup.errors import InputError, TooLargeError, UnreadableFileError
from pipeline.readers.table import decode

XLSX_MAGIC = b"PK\x03\x04"
MAX_ROWS = 1_000_000
MAX_COLUMNS = 1_000
UNPACK_FACTOR = 20  # an XLSX may unpack to at most 20 times the upload limit


@dataclass(frozen=True)
class Sheet:
    """A table of text cells with the file line (or spreadsheet row) of each row."""

    path: Path
    kind: str  # "csv" or "xlsx"
    header: list[str]
    rows: list[list[str]]
    lines: list[int]
    header_line: int
    encoding: str = ""
    name: str = ""  # the worksheet's name (XLSX)

    def column(self, name: str) -> list[str]:
        """Every cell of one column."""
        at = self.header.index(name)
        return [row[at] for row in self.rows]


def kind_of(path: Path) -> str:
    """'xlsx' when the file is a zip container (whatever its name says), else 'csv'."""
    with open(path, "rb") as handle:
        return "xlsx" if handle.read(4) == XLSX_MAGIC else "csv"


def check_size(path: Path, limit_mb: float) -> None:
    """Refuse a file bigger than the configured limit."""
    size = path.stat().st_size
    if size > limit_mb * 1024 * 1024:
        raise TooLargeError(
            f"{size / 1024 / 1024:,.1f} MB is over the {limit_mb:g} MB limit "
            "(LEVELUP_MAX_UPLOAD_MB)"
        )
    if size == 0:
        raise InputError("the file is empty", path=path)


def _bounded(rows: Iterable[tuple[list[str], int]]) -> tuple[list[list[str]], list[int]]:
    """Rows (cut to MAX_COLUMNS, trailing blanks dropped) and their line numbers."""
    raw: list[list[str]] = []
    numbers: list[int] = []
    for row, line in rows:
        if len(raw) >= MAX_ROWS:
            raise TooLargeError(f"more than {MAX_ROWS:,} rows")
        if len(row) > MAX_COLUMNS:
            if any(cell.strip() for cell in row[MAX_COLUMNS:]):
                raise TooLargeError(f"more than {MAX_COLUMNS:,} columns (line {line})")
            row = row[:MAX_COLUMNS]
        while row and not row[-1].strip():
            row = row[:-1]
        raw.append(row)
        numbers.append(line)
    return raw, numbers


def _header_index(rows: list[list[str]]) -> int:
    """The first row with at least two non-empty cells (titles above a table are skipped)."""
    for index, row in enumerate(rows[:20]):
        if sum(1 for cell in row if cell.strip()) >= 2:
            return index
    return 0


def _header(path: Path, cells: list[str], line: int) -> list[str]:
    header = [h.strip() for h in cells]
    if not any(header):
        raise InputError("no header row found", path=path, line=line)
    seen: set[str] = set()
    for name in header:
        if name and name.lower() in seen:
            raise InputError(
                "two columns have this name; rename one", path=path, line=line, column=name
            )
        seen.add(name.lower())
    return header


def _from_rows(
    path: Path, kind: str, raw: list[list[str]], numbers: list[int], encoding: str, name: str = ""
) -> Sheet:
    if not any(any(c.strip() for c in row) for row in raw):
        raise InputError("the file is empty", path=path)
    start = _header_index(raw)
    header = _header(path, raw[start], numbers[start])
    width = len(header)
    rows, lines = [], []
    for row, line in zip(raw[start + 1 :], numbers[start + 1 :], strict=True):
        if not any(cell.strip() for cell in row):
            continue
        if len(row) > width:
            raise InputError(
                f"this row has {len(row)} cells but the header has {width}", path=path, line=line
            )
        rows.append(row + [""] * (width - len(row)))
        lines.append(line)
    if not rows:
        raise InputError(
            "the file has a header but no rows of data", path=path, line=numbers[start]
        )
    return Sheet(path, kind, header, rows, lines, numbers[start], encoding, name)


def _read_csv(path: Path) -> Sheet:
    text, encoding = decode(path)
    try:
        delimiter = csv.Sniffer().sniff(text[:20000], delimiters=",;\t|").delimiter
    except csv.Error:
        delimiter = ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)

    def numbered() -> Iterable[tuple[list[str], int]]:
        start = 1  # a row's first line, even when a quoted cell spans several
        for row in reader:
            yield row, start
            start = reader.line_num + 1

    try:
        raw, numbers = _bounded(numbered())
    except csv.Error as exc:
        raise UnreadableFileError(f"malformed CSV: {exc}", path=path, line=reader.line_num) from exc
    return _from_rows(path, "csv", raw, numbers, encoding)


def _cell(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _check_zip(path: Path, limit_mb: float) -> None:
    """Refuse a workbook that would unpack to far more than the limit (a zip bomb)."""
    try:
        with zipfile.ZipFile(path) as archive:
            unpacked = sum(info.file_size for info in archive.infolist())
    except (zipfile.BadZipFile, OSError) as exc:
        raise UnreadableFileError(f"not a readable XLSX workbook ({exc})", path=path) from exc
    if unpacked > UNPACK_FACTOR * limit_mb * 1024 * 1024:
        raise TooLargeError(f"the workbook unpacks to {unpacked / 1024 / 1024:,.0f} MB")


def _worksheet_rows(worksheet: Any) -> Iterable[tuple[list[str], int]]:
    worksheet.reset_dimensions()  # ignore the size the file claims; read what is there
    for number, row in enumerate(worksheet.iter_rows(values_only=True), start=1):
        yield [_cell(v) for v in row], number


def _read_xlsx(path: Path, limit_mb: float, prefer: Callable[[Sheet], bool] | None) -> Sheet:
    from openpyxl import load_workbook
    from openpyxl.utils.exceptions import InvalidFileException

    _check_zip(path, limit_mb)
    broken = (zipfile.BadZipFile, InvalidFileException, KeyError, ValueError, ParseError, OSError)
    with open(path, "rb") as handle:  # a file object: openpyxl would refuse a .upload name
        try:
            book = load_workbook(handle, read_only=True, data_only=True, keep_links=False)
            try:
                first: Sheet | None = None
                refused: list[InputError] = []
                for worksheet in book.worksheets:  # the first sheet that holds the table
                    try:
                        raw, numbers = _bounded(_worksheet_rows(worksheet))
                        sheet = _from_rows(path, "xlsx", raw, numbers, "", worksheet.title)
                    except InputError as exc:
                        refused.append(exc)
                        continue
                    first = first or sheet
                    if prefer is None or prefer(sheet):
                        return sheet
            finally:
                book.close()
        except broken as exc:
            raise UnreadableFileError(f"not a readable XLSX workbook ({exc})", path=path) from exc
    if first is None:
        raise refused[0] if refused else InputError("the workbook has no worksheet", path=path)
    return first


def read_sheet(
    path: Path, limit_mb: float = 20.0, prefer: Callable[[Sheet], bool] | None = None
) -> Sheet:
    """Read a user's table (CSV, or the first XLSX worksheet `prefer` accepts) within the
    size limit."""
    if not path.is_file():
        raise UnreadableFileError("no such file", path=path)
    check_size(path, limit_mb)
    return _read_xlsx(path, limit_mb, prefer) if kind_of(path) == "xlsx" else _read_csv(path)

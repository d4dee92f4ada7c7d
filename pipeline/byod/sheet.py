"""Read a user's CSV or XLSX as rows of text cells, safely: nothing in the file is executed.

CSV goes through the csv module (UTF-8 with or without BOM, then cp1252); XLSX through
openpyxl in read-only mode with cached values only, so formulas are never evaluated (a formula
cell reads as its last saved value, or as nothing). Files over the size limit are refused
before they are read.
"""

from __future__ import annotations

import csv
import io
import zipfile
from dataclasses import dataclass
from pathlib import Path

from levelup.errors import InputError, TooLargeError, UnreadableFileError
from pipeline.readers.table import decode

XLSX_MAGIC = b"PK\x03\x04"
MAX_ROWS = 1_000_000
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


def kind_of(path: Path) -> str:
    """'xlsx' when the file is a zip container (whatever its name says), else 'csv'."""
    with open(path, "rb") as handle:
        return "xlsx" if handle.read(4) == XLSX_MAGIC else "csv"


def check_size(path: Path, limit_mb: float) -> None:
    """Refuse a file bigger than the configured limit."""
    size = path.stat().st_size
    if size > limit_mb * 1024 * 1024:
        raise TooLargeError(
            f"{size / 1024 / 1024:,.1f} MB is over the "
            f"{limit_mb:g} MB limit (LEVELUP_MAX_UPLOAD_MB)"
        )
    if size == 0:
        raise InputError("the file is empty", path=path)


def _header_index(rows: list[list[str]]) -> int:
    """The first row with at least two non-empty cells (titles above a table are skipped)."""
    for index, row in enumerate(rows[:20]):
        if sum(1 for cell in row if cell.strip()) >= 2:
            return index
    return 0


def _from_rows(
    path: Path, kind: str, raw: list[list[str]], numbers: list[int], encoding: str
) -> Sheet:
    if not any(any(c.strip() for c in row) for row in raw):
        raise InputError("the file is empty", path=path)
    start = _header_index(raw)
    header = [h.strip() for h in raw[start]]
    if not any(header):
        raise InputError("no header row found", path=path, line=numbers[start])
    width = len(header)
    rows, lines = [], []
    for row, line in zip(raw[start + 1 :], numbers[start + 1 :], strict=True):
        if not any(cell.strip() for cell in row):
            continue
        rows.append((row + [""] * width)[:width])
        lines.append(line)
    if not rows:
        raise InputError(
            "the file has a header but no rows of data", path=path, line=numbers[start]
        )
    return Sheet(path, kind, header, rows, lines, numbers[start], encoding)


def _read_csv(path: Path) -> Sheet:
    text, encoding = decode(path)
    sample = text[:20000]
    try:
        dialect = csv.Sniffer().sniff(sample, delimiters=",;\t|")
        delimiter = dialect.delimiter
    except csv.Error:
        delimiter = ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    raw, numbers = [], []
    try:
        for row in reader:
            raw.append(row)
            numbers.append(reader.line_num)
            if len(raw) > MAX_ROWS:
                raise TooLargeError(f"more than {MAX_ROWS:,} rows")
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


def _read_xlsx(path: Path, limit_mb: float) -> Sheet:
    from openpyxl import load_workbook
    from openpyxl.utils.exceptions import InvalidFileException

    _check_zip(path, limit_mb)
    with open(path, "rb") as handle:  # a file object: openpyxl would refuse a .upload name
        try:
            book = load_workbook(handle, read_only=True, data_only=True, keep_links=False)
        except (zipfile.BadZipFile, InvalidFileException, KeyError, ValueError, OSError) as exc:
            raise UnreadableFileError(f"not a readable XLSX workbook ({exc})", path=path) from exc
        try:
            sheet = book.worksheets[0]
            raw, numbers = [], []
            for number, row in enumerate(sheet.iter_rows(values_only=True), start=1):
                raw.append([_cell(v) for v in row])
                numbers.append(number)
                if len(raw) > MAX_ROWS:
                    raise TooLargeError(f"more than {MAX_ROWS:,} rows")
        finally:
            book.close()
    return _from_rows(path, "xlsx", raw, numbers, "")


def read_sheet(path: Path, limit_mb: float = 20.0) -> Sheet:
    """Read a user's table (CSV or the first XLSX sheet) within the size limit."""
    if not path.is_file():
        raise UnreadableFileError("no such file", path=path)
    check_size(path, limit_mb)
    return _read_xlsx(path, limit_mb) if kind_of(path) == "xlsx" else _read_csv(path)

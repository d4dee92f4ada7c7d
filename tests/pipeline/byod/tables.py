"""User tables written the way people write them, built in code from real shipped codes.

Every table keeps the values it holds, so tests can check what comes back out of the
database, the tiles and the extracts. Codes and names come from the shipped December 2022
local authority districts (ONS, OGL v3) and the GISCO NUTS 2021 regions (© EuroGeographics).
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from pathlib import Path

from boundaries.load import load_codes
from boundaries.registry import Registry

SUPPRESSED = {(3, 2022): "c", (5, 2021): "x", (8, 2022): ".."}


@dataclass
class Table:
    """A file's text (or bytes) and the values it holds: (code, year) -> value (None = gap)."""

    name: str
    data: bytes
    values: dict[tuple[str, int], float | None] = field(default_factory=dict)

    def write(self, folder: Path) -> Path:
        """Write the table into `folder`; return its path."""
        path = folder / self.name
        path.write_bytes(self.data)
        return path


def districts(registry: Registry, count: int = 40) -> list[tuple[str, str]]:
    """Real district codes and names: English shire districts, then Welsh and Scottish ones."""
    codes = load_codes(registry.get("lad-2022"))
    others = min(6, count // 5)
    chosen = [c for c in sorted(codes) if c.startswith("E07")][: count - others]
    chosen += [c for c in sorted(codes) if c.startswith(("W06", "S12"))][:others]
    return [(c, codes[c]) for c in chosen]


def _csv(rows: list[list[str]], encoding: str = "utf-8-sig", delimiter: str = ",") -> bytes:
    out = io.StringIO(newline="")
    csv.writer(out, delimiter=delimiter, lineterminator="\r\n").writerows(rows)
    return out.getvalue().encode(encoding)


def messy_tidy(registry: Registry) -> Table:
    """A tidy table as an officer exports it: a title line, mixed-case headers with trailing
    spaces, codes with stray spaces and lower case, thousands separators, suppressed cells
    (c, x, ..), a Total row and a source note at the bottom. UTF-8 with a BOM."""
    rows = [
        ["Households by district, 2021 and 2022"],
        [],
        ["Area Code ", "area NAME", " Year", "Number of Households "],
    ]
    values: dict[tuple[str, int], float | None] = {}
    total = 0
    for i, (code, name) in enumerate(districts(registry)):
        for year in (2021, 2022):
            number = 20_000 + 1_379 * i + 311 * (year - 2021)
            marker = SUPPRESSED.get((i, year))
            shown_code = code.lower() if i == 2 else f" {code} " if i == 4 else code
            rows.append([shown_code, f"{name}  ", str(year), marker or f"{number:,}"])
            values[(code, year)] = None if marker else float(number)
            total += 0 if marker else number
    rows.append(["Total", "", "2022", f"{total:,}"])
    rows.append(["Source: district council tax base returns", "", "", ""])
    return Table("Households 2021-22.csv", _csv(rows), values)


def messy_wide(registry: Registry) -> Table:
    """A wide table, one column per year, saved by Excel as cp1252: pound signs, a name
    column first, a header with a trailing space, an x for a suppressed cell and a row for
    England (a national figure, not a district)."""
    rows = [["Area name", "AREA CODE", "2019", "2020", "2021 "]]
    values: dict[tuple[str, int], float | None] = {}
    for i, (code, name) in enumerate(districts(registry, 30)):
        cells = []
        for year in (2019, 2020, 2021):
            pay = 24_000 + 250 * i + 700 * (year - 2019)
            gap = i == 1 and year == 2020
            cells.append("x" if gap else f"£{pay:,}")
            values[(code, year)] = None if gap else float(pay)
        rows.append([f"{name} – district", code, *cells])
    rows.append(["England", "E92000001", "£27,000", "£27,500", "£28,100"])
    return Table("median pay.csv", _csv(rows, "cp1252"), values)


def nuts_semicolon(registry: Registry) -> Table:
    """NUTS 2 codes, semicolons, decimal values, one period for the whole file (no period
    column): a researcher's quick export."""
    codes = sorted(c for c in load_codes(registry.get("nuts2-2021")) if c.startswith("DE"))
    rows = [["NUTS_ID", "share"]]
    values: dict[tuple[str, int], float | None] = {}
    for i, code in enumerate(codes):
        value = round(10 + i * 0.37, 2)
        rows.append([code, f"{value}"])
        values[(code, 2021)] = value
    return Table("germany.csv", _csv(rows, "utf-8", ";"), values)


def xlsx_wide_measures(registry: Registry) -> Table:
    """An XLSX workbook, one column per measure, numbers stored as numbers, and a formula
    in a notes column (never evaluated: read as its cached value or as nothing)."""
    import openpyxl

    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["Code", "Name", "Year", "Employment rate (%)", "Median pay (£)", "Notes"])
    values: dict[tuple[str, int], float | None] = {}
    for i, (code, name) in enumerate(districts(registry, 20)):
        rate = round(70 + i * 0.5, 1)
        sheet.append([code, name, 2023, rate, 500 + 3 * i, "=1+1" if i == 0 else ""])
        values[(code, 2023)] = rate
    out = io.BytesIO()
    book.save(out)
    return Table("districts.xlsx", out.getvalue(), values)


def plain(header: str, *rows: str, name: str = "bad.csv") -> Table:
    """A small CSV from lines of text."""
    return Table(name, ("\n".join([header, *rows]) + "\n").encode())

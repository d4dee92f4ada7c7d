"""Where things are in a user's table: the codes, the periods, the values and the names.

Heuristics only look at what people write (headers and cells); every one can be overridden.
"""

from __future__ import annotations

import math
import re
from typing import Any

from boundaries.registry import Registry
from levelup.errors import BadValueError, InputError
from pipeline.cells import parse_cell
from pipeline.periods import parse_period
from pipeline.readers.layout import Layout
from pipeline.readers.sheet import Sheet
from pipeline.readers.user import clean_number

CODE_HEADERS = re.compile(r"(code|areacd|gss|geo|nuts|itl|lad\d*cd|ons|id)$", re.IGNORECASE)
PERIOD_HEADERS = re.compile(
    r"^(period|year|date|time|time period|financial year|fy|yr)$", re.IGNORECASE
)
NAME_HEADERS = re.compile(r"(name|areanm|area|place|authority|region)", re.IGNORECASE)
VALUE_HEADERS = re.compile(
    r"^(value|values|observation|obs[ _]?value|amount|count|number|figure|data)$", re.IGNORECASE
)
# Numeric columns that are not measures: limits, flags, ranks, GIS ids, deciles.
NOT_VALUES = re.compile(
    r"(lower|upper|confidence|\bci\b|polarity|status|flag|notes?\b|\brank|\bunits?$|"
    r"^(object_?id|fid|id|oid|shape_\w+|decile|quintile|quartile|percentile)$)",
    re.IGNORECASE,
)
# Text a spreadsheet would run: "=anything", or +, - or @ before a function call or a link.
FORMULA = re.compile(r"^(=|[+\-@]\s*[A-Za-z_][A-Za-z0-9_.]*\s*[(!|])")


def looks_like_code(value: str, patterns: list[re.Pattern[str]]) -> bool:
    """Whether a cell holds a code of one of the levels."""
    text = value.strip().upper()
    return bool(text) and any(p.match(text) for p in patterns)


def _share(values: list[str], test: Any) -> float:
    present = [v for v in values if v.strip()]
    return sum(1 for v in present if test(v)) / len(present) if present else 0.0


def _is_number(text: str) -> bool:
    return parse_cell(clean_number(text)) is not None


def _is_period(text: str) -> bool:
    try:
        parse_period(text)
    except ValueError:
        return False
    return True


def has_codes(sheet: Sheet, registry: Registry) -> bool:
    """Whether some column of the sheet is mostly area codes (picks a workbook's data sheet)."""
    patterns = [level.pattern for level in registry.levels.values()]
    return any(
        _share(sheet.column(name), lambda v: looks_like_code(v, patterns)) >= 0.5
        for name in sheet.header
        if name
    )


def find_code_column(sheet: Sheet, registry: Registry) -> str:
    """The column whose cells look most like area codes."""
    patterns = [level.pattern for level in registry.levels.values()]
    scores = []
    for name in sheet.header:
        cells = sheet.column(name)
        share = _share(cells, lambda v: looks_like_code(v, patterns))
        distinct = len({c.strip().upper() for c in cells if c.strip()})
        # Mostly codes first; then the finer geography (more distinct codes: a district
        # column beats a region column beside it); then a header that says "code".
        scores.append((round(share, 1), distinct, bool(CODE_HEADERS.search(name)), name))
    best = max(scores)
    if best[0] < 0.5:
        raise InputError(
            "no column looks like area codes (such as E06000047, S12000049, "
            "W06000015, UKC1 or DE21); name it with --code-column",
            path=sheet.path,
            line=sheet.header_line,
        )
    return best[3]


def _formula_check(sheet: Sheet, columns: list[str]) -> None:
    for name in columns:
        for row_value, line in zip(sheet.column(name), sheet.lines, strict=True):
            if FORMULA.match(row_value.strip()):
                raise InputError(
                    f"{row_value.strip()[:40]!r} looks like a spreadsheet formula; nothing in "
                    "the file is ever evaluated, so put the number it shows instead",
                    path=sheet.path,
                    line=line,
                    column=name,
                )


def _number_counts(cells: list[str]) -> tuple[int, int, int]:
    """(numbers, missing markers such as c, x or .., other non-empty cells)."""
    numbers = markers = others = 0
    for cell in cells:
        if not cell.strip():
            continue
        parsed = parse_cell(clean_number(cell))
        if parsed is None:
            others += 1
        elif math.isnan(parsed[0]):
            markers += 1
        else:
            numbers += 1
    return numbers, markers, others


def _is_value_column(cells: list[str]) -> bool:
    """Mostly numbers or missing markers (c, x, ..), with at least one real number."""
    numbers, markers, others = _number_counts(cells)
    return numbers > 0 and others <= 0.25 * (numbers + markers)


def _not_numbers(sheet: Sheet, candidates: list[str]) -> InputError:
    """Why no column holds values: the first odd cell of the most numeric column, if any."""
    counts = {h: _number_counts(sheet.column(h)) for h in candidates}
    best = max(counts, key=lambda h: counts[h][0], default=None)
    if best is None or counts[best][0] < counts[best][2]:
        return InputError(
            "no column of numbers found; name them with --value-column",
            path=sheet.path,
            line=sheet.header_line,
        )
    for cell, line in zip(sheet.column(best), sheet.lines, strict=True):
        if cell.strip() and parse_cell(clean_number(cell)) is None:
            return BadValueError(
                f"{cell.strip()[:40]!r} is neither a number nor a missing marker such as c, x "
                "or ..",
                path=sheet.path,
                line=line,
                column=best,
            )
    raise AssertionError("a column with other cells has one")  # pragma: no cover


def _value_columns(sheet: Sheet, candidates: list[str]) -> list[str]:
    """Columns of values: one named like a value if there is one, else every numeric column
    except confidence limits, flags, polarity and the like."""
    numeric = [
        h
        for h in candidates
        if not PERIOD_HEADERS.match(h.strip()) and _is_value_column(sheet.column(h))
    ]
    named = [h for h in numeric if VALUE_HEADERS.match(h.strip())]
    if len(named) == 1:
        return named
    return [h for h in numeric if not NOT_VALUES.search(h)] or numeric


def find_layout(sheet: Sheet, code_column: str, overrides: dict[str, Any]) -> Layout:
    """Period and value columns and the table's shape (overrides win)."""
    _formula_check(sheet, [h for h in sheet.header if h])
    others = [h for h in sheet.header if h and h != code_column]
    year_headers = [h for h in others if _is_period(h)]
    period_column = overrides.get("period_column")
    period = overrides.get("period")
    if not period_column and not period and not year_headers:
        named = [h for h in others if PERIOD_HEADERS.match(h.strip())]
        candidates = named or [
            h
            for h in others
            if not _share(sheet.column(h), _is_number)
            or all(re.fullmatch(r"(19|20)\d\d", v.strip()) for v in sheet.column(h) if v.strip())
        ]
        for name in candidates:
            if _share(sheet.column(name), _is_period) >= 0.8:
                period_column = name
                break
    rest = [h for h in others if h != period_column]
    if overrides.get("value_columns"):
        values = list(overrides["value_columns"])
    elif year_headers and not period_column and not period:
        values = year_headers
    else:
        values = _value_columns(sheet, [h for h in rest if h not in year_headers])
    if not values:
        raise _not_numbers(sheet, [h for h in rest if not PERIOD_HEADERS.match(h.strip())])
    texts = [h for h in rest if h not in values and _share(sheet.column(h), _is_number) < 0.5]
    names = [h for h in texts if NAME_HEADERS.search(h)] or texts
    name_column = overrides.get("name_column") or (names[0] if names else None)
    if not period_column and not period and values and set(values) <= set(year_headers):
        shape = "wide-years"
    elif not period_column and not period:
        raise InputError(
            "no period found: add a period or year column, use years as column "
            "headers, or give one with --period 2023",
            path=sheet.path,
            line=sheet.header_line,
        )
    else:
        shape = "wide-indicators" if len(values) > 1 else "tidy"
    return Layout(
        format=shape,
        code_column=code_column,
        value_columns=tuple(values),
        period_column=period_column,
        period=period,
        name_column=name_column,
        sheet=sheet.name if sheet.kind == "xlsx" else "",
    )

"""Find the codes, periods and values in a user's table, then its level and boundary vintage.

Everything found is shown before anything is built, and every choice can be overridden.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from dataclasses import dataclass, field, replace
from typing import Any

import pandas as pd

from boundaries.changes import CodeChanges
from boundaries.load import load_codes
from boundaries.registry import Registry
from levelup.errors import BadValueError, InputError
from pipeline.byod.layout import Layout
from pipeline.byod.sheet import Sheet
from pipeline.cells import parse_cell
from pipeline.join import _choose, join_to_set
from pipeline.periods import parse_period
from pipeline.readers.user import clean_number

CODE_HEADERS = re.compile(r"(code|areacd|gss|geo|nuts|itl|lad\d*cd|ons|id)$", re.IGNORECASE)
PERIOD_HEADERS = re.compile(
    r"^(period|year|date|time|time period|financial year|fy|yr)$", re.IGNORECASE
)
NAME_HEADERS = re.compile(r"(name|areanm|area|place|authority|region)", re.IGNORECASE)
VALUE_HEADERS = re.compile(
    r"^(value|values|observation|obs[ _]?value|amount|count|number|figure|data)$", re.IGNORECASE
)
NOT_VALUES = re.compile(
    r"(lower|upper|confidence|\bci\b|polarity|status|flag|notes?\b|\brank|\bunits?$)",
    re.IGNORECASE,
)
GSS = re.compile(r"^[EWSNK]\d{8}$")  # any ONS (GSS) code, mapped or not
TOTALS = re.compile(r"^(grand\s+)?(total|sum|all)\b", re.IGNORECASE)
# Text a spreadsheet would run: "=anything", or +, - or @ before a function call or a link.
FORMULA = re.compile(r"^(=|[+\-@]\s*[A-Za-z_][A-Za-z0-9_.]*\s*[(!|])")
COMPARATORS = {"uk", "ctry"}


@dataclass
class Detection:
    """What was found in a user's table, ready to show and to build from."""

    layout: Layout
    level: str
    set_id: str
    system: str
    rows: int
    ignored: list[dict[str, Any]] = field(default_factory=list)
    other_levels: dict[str, int] = field(default_factory=dict)
    coverage: pd.DataFrame = field(default_factory=pd.DataFrame)
    unmatched: pd.DataFrame = field(default_factory=pd.DataFrame)
    years: list[int] = field(default_factory=list)
    codes: int = 0
    matched: int = 0
    comparators: list[str] = field(default_factory=list)
    columns: list[str] = field(default_factory=list)
    choices: list[tuple[str, int, int]] = field(default_factory=list)

    def summary(self, registry: Registry) -> dict[str, Any]:
        """Plain data for the CLI and the web preview."""
        cov = self.coverage
        codes, matched = self.codes, self.matched
        spec = registry.get(self.set_id)
        return {
            "format": self.layout.format,
            "columns": self.columns,
            "code_column": self.layout.code_column,
            "period_column": self.layout.period_column,
            "period": self.layout.period,
            "value_columns": list(self.layout.value_columns),
            "name_column": self.layout.name_column,
            "rows": self.rows,
            "ignored_rows": self.ignored,
            "other_levels": self.other_levels,
            "comparators": self.comparators,
            "level": self.level,
            "level_label": registry.level(self.level).label,
            "boundary_set": self.set_id,
            "boundary_title": spec.title,
            "years": self.years,
            "codes": codes,
            "matched": matched,
            "match_rate": matched / codes if codes else 0.0,
            "unmatched": []
            if self.unmatched.empty
            else (
                self.unmatched.drop_duplicates("code")[["code", "reason", "detail"]].to_dict(
                    "records"
                )
            ),
            "candidates": [{"set_id": s, "matched": m, "exact": e} for s, m, e in self.choices[:5]],
            "per_year": []
            if cov.empty
            else cov.groupby("year", as_index=False)[["codes", "matched"]].sum().to_dict("records"),
        }


def _looks_like_code(value: str, patterns: list[re.Pattern[str]]) -> bool:
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


def _column(sheet: Sheet, name: str) -> list[str]:
    at = sheet.header.index(name)
    return [row[at] for row in sheet.rows]


def _ignored_reason(text: str) -> str:
    if TOTALS.match(text):
        return "a total row"
    if GSS.match(text.upper()):
        return "a geography without boundaries here (such as Great Britain)"
    return "not an area code"


def find_code_column(sheet: Sheet, registry: Registry) -> str:
    """The column whose cells look most like area codes."""
    patterns = [level.pattern for level in registry.levels.values()]
    scores = []
    for name in sheet.header:
        share = _share(_column(sheet, name), lambda v: _looks_like_code(v, patterns))
        scores.append((share, bool(CODE_HEADERS.search(name)), name))
    best = max(scores)
    if best[0] < 0.5:
        raise InputError(
            "no column looks like area codes (such as E06000047, S12000049, "
            "W06000015, UKC1 or DE21); name it with --code-column",
            path=sheet.path,
            line=sheet.header_line,
        )
    return best[2]


def _formula_check(sheet: Sheet, columns: list[str]) -> None:
    for name in columns:
        for row_value, line in zip(_column(sheet, name), sheet.lines, strict=True):
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
    counts = {h: _number_counts(_column(sheet, h)) for h in candidates}
    best = max(counts, key=lambda h: counts[h][0], default=None)
    if best is None or counts[best][0] < counts[best][2]:
        return InputError(
            "no column of numbers found; name them with --value-column",
            path=sheet.path,
            line=sheet.header_line,
        )
    for cell, line in zip(_column(sheet, best), sheet.lines, strict=True):
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
        if not PERIOD_HEADERS.match(h.strip()) and _is_value_column(_column(sheet, h))
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
            if not _share(_column(sheet, h), _is_number)
            or all(re.fullmatch(r"(19|20)\d\d", v.strip()) for v in _column(sheet, h) if v.strip())
        ]
        for name in candidates:
            if _share(_column(sheet, name), _is_period) >= 0.8:
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
    texts = [h for h in rest if h not in values and _share(_column(sheet, h), _is_number) < 0.5]
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
    )


def _levels_of(codes: list[str], registry: Registry) -> Counter[str]:
    counts: Counter[str] = Counter()
    for code in codes:
        for level in registry.levels.values():
            if level.matches(code):
                counts[level.id] += 1
    return counts


def _comparator_codes(codes: list[str], registry: Registry) -> list[str]:
    levels = [registry.level(k) for k in COMPARATORS]
    return [c for c in codes if any(level.matches(c) for level in levels)]


def choose_level(
    codes: list[str], registry: Registry, wanted: str | None
) -> tuple[str, dict[str, int]]:
    """The mapped level most codes belong to; codes of another mapped level must be few."""
    counts = _levels_of(codes, registry)
    mapped = {k: v for k, v in counts.items() if registry.level(k).map}
    if wanted:
        registry.level(wanted)
        if wanted not in counts:
            raise InputError(f"no code in the file is a {wanted} code")
        level = wanted
    elif not mapped:
        raise InputError(
            "none of the codes is at a mapped level (districts, counties, regions, ITL3, NUTS 0-3)"
        )
    else:
        order = [lv.id for lv in registry.levels.values()]
        level = max(mapped, key=lambda k: (mapped[k], -order.index(k)))
    chosen = registry.level(level)
    outside = [
        c
        for c in codes
        if not chosen.matches(c) and not any(registry.level(k).matches(c) for k in COMPARATORS)
    ]
    by_level = _levels_of(outside, registry)
    if not wanted and len(outside) >= max(3, 0.1 * len(codes)):
        listing = ", ".join(f"{n} {k}" for k, n in (_levels_of(codes, registry)).most_common())
        raise InputError(
            f"codes from mixed levels ({listing}): keep one geography per file, "
            "or choose one with --level"
        )
    return level, dict(by_level)


def detect(
    sheet: Sheet, registry: Registry, changes: CodeChanges, overrides: dict[str, Any] | None = None
) -> tuple[Detection, pd.DataFrame]:
    """Detect layout, level and vintage; also return the rows as a long table for the join."""
    overrides = overrides or {}
    code_column = overrides.get("code_column") or find_code_column(sheet, registry)
    if code_column not in sheet.header:
        raise InputError(
            f"no column {code_column!r} (columns: {', '.join(sheet.header)})",
            path=sheet.path,
            line=sheet.header_line,
        )
    layout = find_layout(sheet, code_column, overrides)
    patterns = [level.pattern for level in registry.levels.values()]
    at = sheet.header.index(code_column)
    ignored: dict[str, dict[str, Any]] = {}
    keep = []
    for row, line in zip(sheet.rows, sheet.lines, strict=True):
        if _looks_like_code(row[at], patterns):
            keep.append(row[at].strip().upper())
            continue
        text = row[at].strip()[:60] or "(blank)"
        entry = ignored.setdefault(
            text, {"text": text, "reason": _ignored_reason(text), "line": line, "rows": 0}
        )
        entry["rows"] += 1
    if not keep:
        raise InputError("no row has an area code", path=sheet.path, column=code_column)
    level, others = choose_level(sorted(set(keep)), registry, overrides.get("level"))
    candidates = registry.sets_for_level(level)
    chosen = registry.level(level)
    codes = sorted({c for c in keep if chosen.matches(c)})
    national = sorted(
        {c for c in keep if not chosen.matches(c)} & set(_comparator_codes(keep, registry))
    )
    spec, scores = _choose(codes, candidates, changes, load_codes)
    detection = Detection(
        layout=layout,
        level=level,
        set_id=spec.id,
        system=chosen.system,
        rows=len(keep),
        ignored=list(ignored.values()),
        other_levels=others,
        choices=list(scores),
        comparators=national,
        columns=list(sheet.header),
    )
    return detection, pd.DataFrame({"code": codes})


def with_coverage(
    detection: Detection, tidy: pd.DataFrame, registry: Registry, changes: CodeChanges
) -> Detection:
    """Fill in coverage and unmatched codes from the user's tidy rows."""
    level = registry.level(detection.level)
    rows = tidy[tidy["code"].str.match(level.pattern.pattern)]
    joined = join_to_set(
        rows,
        registry.get(detection.set_id),
        level,
        registry,
        changes,
        load_codes,
        min_polygon_share=0.0,
    )
    years = sorted(int(y) for y in tidy["year"].unique())
    matched = joined.joined["source_code"].nunique() if not joined.joined.empty else 0
    return replace(
        detection,
        coverage=joined.coverage,
        unmatched=joined.unmatched,
        years=years,
        codes=int(rows["code"].nunique()),
        matched=int(matched),
    )

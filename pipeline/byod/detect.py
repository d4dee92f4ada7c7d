"""Find the codes, periods and values in a user's table, then its level and boundary vintage.

Everything found is shown before anything is built, and every choice can be overridden.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field, replace
from typing import Any

import pandas as pd

from boundaries.changes import CodeChanges
from boundaries.load import load_codes
from boundaries.registry import Registry
from levelup.errors import InputError
from pipeline.byod.columns import find_code_column, find_layout, looks_like_code
from pipeline.join import choose_set, join_to_set
from pipeline.readers.layout import Layout
from pipeline.readers.sheet import Sheet

GSS = re.compile(r"^[EWSNK]\d{8}$")  # any ONS (GSS) code, mapped or not
TOTALS = re.compile(r"^(grand\s+)?(total|sum|all)\b", re.IGNORECASE)
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


def _ignored_reason(text: str) -> str:
    if TOTALS.match(text):
        return "a total row"
    if GSS.match(text.upper()):
        return "a geography without boundaries here (such as Great Britain)"
    return "not an area code"


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
        if wanted not in registry.levels or not registry.level(wanted).map:
            known = ", ".join(k for k, lv in registry.levels.items() if lv.map)
            raise InputError(f"unknown geography level {wanted!r}; mapped levels: {known}")
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


def _check_overrides(sheet: Sheet, overrides: dict[str, Any]) -> None:
    """Every column an override names must be in the table."""
    named = [overrides.get(k) for k in ("code_column", "period_column", "name_column")]
    for column in [*named, *(overrides.get("value_columns") or [])]:
        if column and column not in sheet.header:
            raise InputError(
                f"no column {column!r} (the columns are: {', '.join(sheet.header)})",
                path=sheet.path,
                line=sheet.header_line,
                column=column,
            )


def detect(
    sheet: Sheet, registry: Registry, changes: CodeChanges, overrides: dict[str, Any] | None = None
) -> Detection:
    """Detect layout, level and vintage (overrides win)."""
    overrides = overrides or {}
    _check_overrides(sheet, overrides)
    code_column = overrides.get("code_column") or find_code_column(sheet, registry)
    layout = find_layout(sheet, code_column, overrides)
    patterns = [level.pattern for level in registry.levels.values()]
    at = sheet.header.index(code_column)
    ignored: dict[str, dict[str, Any]] = {}
    keep = []
    for row, line in zip(sheet.rows, sheet.lines, strict=True):
        if looks_like_code(row[at], patterns):
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
    spec, scores = choose_set(codes, candidates, changes, load_codes)
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
    return detection


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

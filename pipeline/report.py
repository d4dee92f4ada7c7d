"""The coverage report: read back from the database, printed as a table or JSON."""

from __future__ import annotations

import json
import sqlite3
from collections import defaultdict
from typing import Any

from levelup import db

REASONS = ("superseded", "newer", "no_polygon", "other_vintage", "unknown")


def _rows(connection: sqlite3.Connection, sql: str, *params: object) -> list[dict[str, Any]]:
    cursor = connection.execute(sql, params)
    names = [d[0] for d in cursor.description]
    return [dict(zip(names, row, strict=True)) for row in cursor]


def coverage_report(connection: sqlite3.Connection, indicator: str | None = None) -> dict[str, Any]:
    """Everything the report shows, as plain data (the JSON form of the report)."""
    where, params = ("WHERE indicator = ?", (indicator,)) if indicator else ("", ())
    return {
        "meta": db.read_meta(connection),
        "coverage": _rows(
            connection,
            f"SELECT * FROM coverage {where} ORDER BY indicator, variant, level, year",
            *params,
        ),
        "unmatched": _rows(
            connection,
            f"SELECT * FROM unmatched {where} ORDER BY indicator, level, reason, code, variant",
            *params,
        ),
        "unclassified": _rows(
            connection, f"SELECT * FROM unclassified {where} ORDER BY indicator, code", *params
        ),
        "els_datasets": _rows(
            connection, f"SELECT * FROM els_datasets {where} ORDER BY file, variant", *params
        ),
        "set_choices": [
            {
                **row,
                "scores": [
                    dict(zip(("set_id", "matched", "exact"), s, strict=True))
                    for s in json.loads(row["scores"])
                ],
            }
            for row in _rows(
                connection, f"SELECT * FROM set_choices {where} ORDER BY indicator, level", *params
            )
        ],
    }


def summarise(coverage: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """One line per indicator × variant × level, totalled over years."""
    groups: dict[tuple[str, str, str], list[dict[str, Any]]] = defaultdict(list)
    for row in sorted(
        coverage, key=lambda r: (r["indicator"], r["variant"], r["level"], r["year"])
    ):
        groups[(row["indicator"], row["variant"], row["level"])].append(row)
    lines = []
    for (indicator, variant, level), rows in groups.items():
        codes = sum(r["codes"] for r in rows)
        matched = sum(r["matched"] for r in rows)
        no_polygon = sum(r["no_polygon"] for r in rows) + sum(r.get("covered", 0) for r in rows)
        lines.append(
            {
                "indicator": indicator,
                "variant": variant,
                "level": level,
                "set_id": " > ".join(dict.fromkeys(r["set_id"] for r in rows)),
                "years": f"{rows[0]['year']}-{rows[-1]['year']}",
                "n_years": len(rows),
                "codes": codes,
                "matched": matched,
                "recoded": sum(r["recoded"] for r in rows),
                "match_rate": matched / codes if codes else 0.0,
                "polygon_match_rate": matched / (codes - no_polygon) if codes > no_polygon else 0.0,
                "worst_year_rate": min(r["match_rate"] for r in rows),
                "mapped_years": sum(r["mapped"] for r in rows),
                **{reason: sum(r[reason] for r in rows) for reason in REASONS},
                "covered": sum(r.get("covered", 0) for r in rows),
            }
        )
    return lines


ELS_LEVELS = ("lad", "ctyua", "cauth", "rgn")


def els_summary(report: dict[str, Any]) -> list[list[str]]:
    """One row per ELS dataset: the measure reading it and its match rate per level (among
    codes a polygon exists for), or why it is not read."""
    lines = {(s["indicator"], s["variant"], s["level"]): s for s in summarise(report["coverage"])}
    rows = []
    for entry in report["els_datasets"]:
        name = entry["file"].rsplit("/", 1)[-1].removesuffix(".json")
        measure = f"{entry['indicator']}/{entry['variant']}" if entry["indicator"] else "-"
        if entry["status"] != "read":
            rows.append(
                [name, measure, entry["status"], *["" for _ in ELS_LEVELS], entry["reason"]]
            )
            continue
        rates = []
        for level in ELS_LEVELS:
            line = lines.get((entry["indicator"], entry["variant"], level))
            rates.append(f"{100 * line['polygon_match_rate']:.1f}%" if line else "-")
        rows.append([name, measure, "read", *rates, ""])
    return rows


def _table(rows: list[list[str]], header: list[str]) -> str:
    widths = [max(len(str(c)) for c in column) for column in zip(header, *rows, strict=True)]

    def line(cells: list[str]) -> str:
        return "  ".join(str(c).ljust(w) for c, w in zip(cells, widths, strict=True)).rstrip()

    return "\n".join([line(header), line(["-" * w for w in widths]), *map(line, rows)])


def format_report(report: dict[str, Any], *, years: bool = False, examples: int = 4) -> str:
    """The terminal form of the report."""
    meta = report["meta"]
    out = [f"Coverage report (built {meta.get('built_at', '?')}; codes are counted per year)", ""]
    header = [
        "indicator/variant",
        "level",
        "boundary set",
        "years",
        "matched",
        "rate",
        "rate*",
        "recoded",
        "mapped",
        "unmatched by reason",
    ]
    rows = []
    for s in summarise(report["coverage"]):
        reasons = ", ".join(f"{r} {s[r]}" for r in REASONS if s[r]) or "-"
        if s["covered"]:
            reasons += f" ({s['covered']} covered)"
        rows.append(
            [
                f"{s['indicator']}/{s['variant']}",
                s["level"],
                s["set_id"],
                s["years"],
                f"{s['matched']}/{s['codes']}",
                f"{100 * s['match_rate']:.1f}%",
                f"{100 * s['polygon_match_rate']:.1f}%",
                str(s["recoded"]),
                f"{s['mapped_years']}/{s['n_years']}",
                reasons,
            ]
        )
    out.append(_table(rows, header))
    out.append(
        "rate* = match rate among codes for which a polygon exists (extra-regio excluded, and"
        " 'covered' codes: an old or new code for an area the table also gives, the same year,"
        " under codes the set holds);"
        " mapped = years tiled (at least half the set's areas have a value; the ctry and uk"
        " levels are national comparators, never tiled)"
    )
    if years:
        out += [
            "",
            _table(
                [
                    [
                        r["indicator"],
                        r["variant"],
                        r["level"],
                        str(r["year"]),
                        f"{r['matched']}/{r['codes']}",
                        f"{100 * r['match_rate']:.1f}%",
                        "yes" if r["mapped"] else "no",
                    ]
                    for r in report["coverage"]
                ],
                ["indicator", "variant", "level", "year", "matched", "rate", "mapped"],
            ),
        ]
    if report.get("els_datasets"):
        out += [
            "",
            "ONS Explore Local Statistics datasets (match rate among codes with a polygon)",
            _table(els_summary(report), ["dataset", "measure", "status", *ELS_LEVELS, "note"]),
        ]
    out += ["", "Unmatched codes (reason: examples)"]
    grouped: dict[tuple[str, str, str], list[dict[str, Any]]] = defaultdict(list)
    for row in report["unmatched"]:
        grouped[(row["indicator"], row["level"], row["reason"])].append(row)
    for (indicator, level, reason), rows_ in grouped.items():
        unique = list({r["code"]: r for r in rows_}.values())
        details = {r["detail"] for r in unique}
        more = f" (+{len(unique) - examples} more)" if len(unique) > examples else ""
        if len(details) == 1:
            codes = ", ".join(f"{r['code']} {r['name']}".strip() for r in unique[:examples])
            shown = f"{codes}{more}: {details.pop()}"
        else:
            shown = "; ".join(f"{r['code']} {r['name']}: {r['detail']}" for r in unique[:examples])
            shown += more
        out.append(f"  {indicator} [{level}] {reason} x{len(unique)}: {shown}")
    if not grouped:
        out.append("  none")
    stray: dict[str, list[str]] = defaultdict(list)
    for row in report["unclassified"]:
        stray[row["indicator"]].append(f"{row['code']} {row['name']}")
    if stray:
        out += [
            "",
            "Codes at no mapped level (e.g. police force areas, city regions): kept out of maps",
        ]
        for indicator, labels in stray.items():
            more = f" (+{len(labels) - examples} more)" if len(labels) > examples else ""
            out.append(f"  {indicator} x{len(labels)}: {', '.join(labels[:examples])}{more}")
    return "\n".join(out)

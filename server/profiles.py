"""An area's profile: every indicator it has, grouped by topic, each with its latest value,
rank, the median and national figures and its series; the area's parents, children and
similar areas. A combined authority's profile is a "state of the region" dashboard: its own
sections (productivity, jobs, skills, housing, transport) with its districts' latest values.

Built from the database in one pass per area and kept per build (the Catalog holds it).
"""

from __future__ import annotations

import math
from collections import defaultdict
from typing import Any

from levelup.errors import NotFoundError
from server import queries
from server.areas import area_detail
from server.catalog import Catalog
from server.similar import feature_sets, similar_areas

# The level a code is profiled at when it has several (a unitary authority is a district and
# a county: districts first, so its ranks are among the 361).
LEVEL_ORDER = ("lad", "cauth", "ctyua", "rgn", "itl3", "itl2", "nuts3", "nuts2", "nuts1",
               "nuts0", "ctry", "uk")  # fmt: skip
KINDS = {
    "lad": "district",
    "ctyua": "county or unitary authority",
    "cauth": "combined authority",
    "rgn": "region or nation",
    "itl3": "ITL3 region",
    "itl2": "ITL2 region",
    "nuts0": "country",
    "nuts1": "NUTS 1 region",
    "nuts2": "NUTS 2 region",
    "nuts3": "NUTS 3 region",
    "ctry": "nation",
    "uk": "country",
}
PARENT_ORDER = ("ctyua", "cauth", "rgn", "itl3", "itl2", "itl1", "nuts2", "nuts1", "nuts0")
PARENT_LABELS = {
    "ctyua": "County",
    "cauth": "Combined authority",
    "rgn": "Region or nation",
    "itl1": "ITL1 region",
    "itl2": "ITL2 region",
    "itl3": "ITL3 region",
    "nuts0": "Country",
    "nuts1": "NUTS 1 region",
    "nuts2": "NUTS 2 region",
}
CHILD_LEVEL = {"cauth": "lad", "rgn": "lad", "ctyua": "lad", "itl2": "itl3", "nuts0": "nuts1",
               "nuts1": "nuts2", "nuts2": "nuts3"}  # fmt: skip
# The "state of the region" dashboard of a combined authority: its sections and what is in
# each (an indicator the area has no value for is left out; the rest follow by topic).
DASHBOARD = (
    ("productivity", "Productivity", ("gdp-per-head", "gva-per-hour", "gdhi-per-head",
     "median-weekly-pay", "business-rd", "public-rd", "high-growth-businesses", "business-births",
     "business-survival", "exports", "inward-fdi")),
    ("jobs", "Jobs", ("employment-rate", "economic-inactivity", "inactive-long-term-sick",
     "claimant-count", "modelled-unemployment", "children-in-poverty")),
    ("skills", "Skills", ("level3-qualifications", "no-qualifications", "gcse-english-maths",
     "ks2-expected-standard", "early-years", "further-education", "apprenticeship-starts",
     "apprenticeship-achievements", "schools-good-or-outstanding", "persistent-absence")),
    ("housing", "Housing", ("housing-affordability", "net-additions-housing",
     "first-time-buyers", "short-term-lets")),
    ("transport", "Transport and connections", ("travel-time-employment", "ev-chargers",
     "walk-to-services", "amenities", "gigabit-broadband", "slow-broadband", "mobile-coverage")),
)  # fmt: skip
DASHBOARD_LEVELS = ("cauth",)


def _finite(value: Any) -> Any:
    return None if isinstance(value, float) and not math.isfinite(value) else value


def _level_rank(level: str) -> int:
    return LEVEL_ORDER.index(level) if level in LEVEL_ORDER else len(LEVEL_ORDER)


def _primary(levels: list[str]) -> str:
    return min(levels, key=_level_rank)


def _relatives(catalog: Catalog, code: str, level: str) -> tuple[list[Any], list[Any]]:
    """(parents, children) from the latest boundary set that has the area."""
    rows = catalog.rows(
        queries.AREA_PARENTS,
        code,
        level,
    )
    latest = rows[0]["set_id"] if rows else None
    parents = []
    for row in rows:
        if row["set_id"] != latest:
            continue
        kind = "itl1" if row["parent_level"] == "rgn" and row["parent"].startswith("TL") else None
        kind = kind or row["parent_level"]
        parents.append({"code": row["parent"], "name": row["name"], "level": row["parent_level"],
                        "kind": kind, "label": PARENT_LABELS.get(kind, kind)})  # fmt: skip
    regions = {p["name"] for p in parents if p["kind"] == "rgn"}
    parents = [p for p in parents if not (p["kind"] == "itl1" and p["name"] in regions)]
    parents.sort(key=lambda p: PARENT_ORDER.index(p["kind"]) if p["kind"] in PARENT_ORDER else 9)
    children: list[dict[str, Any]] = []
    child_level = CHILD_LEVEL.get(level)
    if code.startswith("TL") and level == "rgn":
        child_level = "itl2"
    if child_level:
        found = catalog.rows(
            queries.AREA_CHILDREN,
            code,
            child_level,
        )
        newest = found[0]["set_id"] if found else None
        children = [
            {"code": r["code"], "name": r["name"], "level": child_level}
            for r in found
            if r["set_id"] == newest
        ]
    return parents, children


def _similar(catalog: Catalog, code: str) -> dict[str, Any] | None:
    sets = feature_sets(catalog)
    if not sets:
        return None
    chosen = sets[0]
    years = catalog.rows(queries.NEIGHBOURS_LATEST_YEAR, chosen["id"], code)
    if not years or years[0]["year"] is None:
        return None
    found = similar_areas(catalog, chosen, code, years[0]["year"], 5)
    return {
        "set": chosen["id"],
        "title": chosen["title"],
        "year": found["year"],
        "areas": found["neighbours"],
        "type": found["cluster"],
    }


def _row(
    series: list[dict[str, Any]],
    order: dict[tuple[str, str], int],
    totals: set[tuple[str, str]],
) -> dict[str, Any] | None:
    """One indicator's row: its first measure with a value is the headline, the rest follow.
    A total (a count, £ million) is set against the national total as a share, not charted
    beside it."""
    ranked = sorted(series, key=lambda s: order.get((s["indicator"], s["variant"]), 99))
    measures = []
    for s in ranked:
        valued = [v for v in s["values"] if _finite(v["value"]) is not None]
        if not valued:
            continue
        latest = valued[-1]
        measures.append((s, latest, valued))
    if not measures:
        return None
    head, latest, valued = measures[0]
    total = (head["indicator"], head["variant"]) in totals
    keys = ("year", "period", "value", "lower", "upper", "rank", "of", "percentile", "band",
            "median", "p25", "p75", "national", "national_code", "index", "country_value",
            "country_code", "country_index", "change_pct", "status")  # fmt: skip
    return {
        "indicator": head["indicator"],
        "code": head.get("code"),  # set when published under another code of the same area
        "title": head["title"],
        "theme": head["theme"],
        "variant": head["variant"],
        "variant_label": head["variant_label"],
        "unit": head["unit"],
        "decimals": head["decimals"],
        "polarity": head["polarity"],
        "level": head["level"],
        "total": total,
        "latest": {k: _finite(latest.get(k)) for k in keys},
        "series": [
            [
                v["year"],
                _finite(v["value"]),
                _finite(v["median"]),
                None if total else _finite(v["national"]),
            ]
            for v in valued
        ],
        "others": [
            {
                "variant": s["variant"],
                "label": s["variant_label"],
                "unit": s["unit"],
                "decimals": s["decimals"],
                "value": v["value"],
                "period": v["period"],
                "year": v["year"],
                "rank": v["rank"],
                "of": v["of"],
            }
            for s, v, _ in measures[1:]
        ],
    }


def _children_values(
    catalog: Catalog, children: list[dict[str, Any]], rows: list[dict[str, Any]]
) -> None:
    """Each row's latest value for every child area (same measure, the children's level)."""
    if not children or not rows:
        return
    codes = [c["code"] for c in children]
    level = children[0]["level"]
    found: dict[tuple[str, str, str], dict[str, Any]] = {}
    for r in catalog.rows(
        queries.latest_values(len(codes)),
        level,
        *codes,
    ):
        found[(r["indicator"], r["variant"], r["code"])] = r  # the latest year wins
    names = {c["code"]: c["name"] for c in children}
    for row in rows:
        latest = [(c, found.get((row["indicator"], row["variant"], c))) for c in codes]
        row["children"] = [
            {"code": c, "name": names[c], "value": v["value"], "year": v["year"]}
            for c, v in latest
            if v is not None
        ]


def _equivalents(catalog: Catalog, code: str) -> list[str]:
    """Other codes of the same area (1:1 recodes: an ITL1 code and its region, say)."""
    return [
        r["other"]
        for r in catalog.rows(
            queries.CODE_EQUIVALENTS,
            code,
            code,
        )
    ]


def build_profile(catalog: Catalog, code: str) -> dict[str, Any]:
    """The profile of one area (NotFoundError when the code has no boundaries or values).

    Series published under another code of the same area (its ITL1 code, a 1:1 recode) fill
    in the indicators its own code lacks; each row names the code its values are under."""
    detail = area_detail(catalog, code, None)
    own = {s["indicator"] for s in detail["series"]}
    for other in _equivalents(catalog, code):
        try:
            extra = area_detail(catalog, other, None)["series"]
        except NotFoundError:
            continue
        detail["series"] += [{**s, "code": other} for s in extra if s["indicator"] not in own]
        own |= {s["indicator"] for s in extra}
    with_values = {
        s["level"] for s in detail["series"] if any(v["value"] is not None for v in s["values"])
    }
    levels = sorted(with_values or set(detail["levels"]))
    if not levels:
        raise NotFoundError(f"no area with code {code!r}")
    level = _primary(levels)
    variants = catalog.rows(queries.PROFILE_VARIANTS)
    order = {(r["indicator"], r["id"]): r["ord"] for r in variants}
    totals = {
        (r["indicator"], r["id"])
        for r in variants
        if r["aggregation"] == "total" and not r["derived"]
    }
    by_indicator: dict[str, dict[str, list[dict[str, Any]]]] = defaultdict(
        lambda: defaultdict(list)
    )
    for s in detail["series"]:
        by_indicator[s["indicator"]][s["level"]].append(s)
    rows = []
    for indicator in (r["id"] for r in catalog.rows(queries.INDICATOR_IDS)):
        if indicator not in by_indicator:
            continue
        per_level = by_indicator[indicator]
        ordered = sorted(per_level, key=lambda lv: (lv != level, _level_rank(lv)))
        for lv in ordered:  # its own level first, then any other level the code has
            row = _row(per_level[lv], order, totals)
            if row is not None:
                rows.append(row)
                break
    parents, children = _relatives(catalog, code, level)
    dashboard = level in DASHBOARD_LEVELS
    themes = catalog.rows(queries.THEMES)
    sections = []
    used: set[str] = set()
    if dashboard:
        _children_values(catalog, children, rows)
        for key, title, members in DASHBOARD:
            picked = [r for m in members for r in rows if r["indicator"] == m]
            used.update(r["indicator"] for r in picked)
            if picked:
                sections.append({"id": key, "title": title, "dashboard": True, "rows": picked})
    for theme in themes:
        picked = [r for r in rows if r["theme"] == theme["id"] and r["indicator"] not in used]
        if picked:
            sections.append({"id": theme["id"], "title": theme["label"], "rows": picked})
    name = detail["name"] or next((p["name"] for p in detail["boundaries"]), code)
    return {
        "code": code,
        "name": name,
        "level": level,
        "levels": levels,
        "kind": KINDS.get(level, level),
        "dashboard": dashboard,
        "built_at": catalog.meta.get("built_at"),
        "boundaries": detail["boundaries"],
        "successors": detail["successors"],
        "predecessors": detail["predecessors"],
        "parents": parents,
        "children": children,
        "similar": _similar(catalog, code) if level == "lad" else None,
        "indicators": len(rows),
        "sections": sections,
    }

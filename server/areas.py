"""An area's detail: its names, levels and boundary vintages, code changes and every
indicator's values over time (the panel and the profile page read it)."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from levelup.errors import NotFoundError
from server.catalog import Catalog


def area_detail(catalog: Catalog, code: str, level: str | None) -> dict[str, Any]:
    """Name, levels, vintages, code changes and every indicator's values for one area."""
    places = catalog.rows(
        "SELECT a.code, a.name, b.level, a.set_id, b.vintage, b.title, a.lon, a.lat, "
        "a.west, a.south, a.east, a.north FROM areas a JOIN boundary_sets b ON b.id = a.set_id "
        "WHERE a.code = ? ORDER BY b.level, b.vintage DESC",
        code,
    )
    changes = catalog.rows(
        "SELECT old, new, kind, year, source FROM code_changes "
        "WHERE old = ? OR new = ? ORDER BY year",
        code,
        code,
    )
    values = catalog.rows(
        "SELECT o.indicator, o.variant, o.level, o.year, o.period, o.value, o.lower, o.upper, "
        'o.status, o.source_code, o.rank, o."of", o.percentile, o.z, o.band, o.change, '
        'o.change_pct, o."index", o.national, o.national_code, o.country_value, o.country_code, '
        "o.country_index, "
        "s.median, s.mad, s.p25, s.p75 FROM observations o LEFT JOIN stats s "
        "ON s.indicator = o.indicator AND s.variant = o.variant AND s.level = o.level "
        "AND s.year = o.year WHERE o.code = ? AND (? IS NULL OR o.level = ?) "
        "ORDER BY o.indicator, o.variant, o.level, o.year",
        code,
        level,
        level,
    )
    if not places and not changes and not values:
        raise NotFoundError(f"no area with code {code!r}")
    names = {r["old"]: None for r in changes} | {r["new"]: None for r in changes}
    marks = ",".join("?" * len(names))
    known = (
        {
            r["code"]: r["name"]
            for r in catalog.rows(
                f"SELECT DISTINCT code, name FROM areas WHERE code IN ({marks})", *names
            )
        }
        if names
        else {}
    )

    def named(c: str) -> dict[str, str | None]:
        return {"code": c, "name": known.get(c)}

    successors = [
        {**named(r["new"]), "kind": r["kind"], "year": r["year"]}
        for r in changes
        if r["old"] == code and r["new"] and r["kind"] != "recode"
    ]
    predecessors = [
        {**named(r["old"]), "kind": r["kind"], "year": r["year"]}
        for r in changes
        if r["new"] == code and r["kind"] != "recode"
    ]
    recodes = [
        {"from": r["old"], "to": r["new"], "year": r["year"], "source": r["source"]}
        for r in changes
        if r["kind"] == "recode"
    ]
    meta = {
        r["id"]: r
        for r in catalog.rows("SELECT id, title, unit, polarity, decimals, theme FROM indicators")
    }
    labels = {
        (r["indicator"], r["id"]): r
        for r in catalog.rows("SELECT indicator, id, label, unit, polarity FROM variants")
    }
    series: dict[tuple[str, str, str], list[dict[str, Any]]] = defaultdict(list)
    for row in values:
        series[(row.pop("indicator"), row.pop("variant"), row.pop("level"))].append(row)
    return {
        "code": code,
        "name": places[0]["name"] if places else (values and None),
        "levels": sorted({p["level"] for p in places}),
        "boundaries": places,
        "successors": successors,
        "predecessors": predecessors,
        "recodes": recodes,
        "series": [
            {
                "indicator": i,
                "variant": v,
                "level": lv,
                "title": meta[i]["title"],
                "variant_label": labels[(i, v)]["label"],
                "unit": labels[(i, v)]["unit"],
                "polarity": labels[(i, v)]["polarity"],
                "decimals": meta[i]["decimals"],
                "theme": meta[i]["theme"],
                "values": rows,
            }
            for (i, v, lv), rows in series.items()
        ],
    }

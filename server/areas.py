"""An area's detail: its names, levels and boundary vintages, code changes and every
indicator's values over time (the panel and the profile page read it)."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from levelup.errors import NotFoundError
from server import queries
from server.catalog import Catalog


def area_detail(catalog: Catalog, code: str, level: str | None) -> dict[str, Any]:
    """Name, levels, vintages, code changes and every indicator's values for one area."""
    places = catalog.rows(
        queries.AREA,
        code,
    )
    changes = catalog.rows(
        queries.AREA_CODE_CHANGES,
        code,
        code,
    )
    values = catalog.rows(
        queries.AREA_OBSERVATIONS,
        code,
        level,
        level,
    )
    if not places and not changes and not values:
        raise NotFoundError(f"no area with code {code!r}")
    names = {r["old"]: None for r in changes} | {r["new"]: None for r in changes}
    known = (
        {
            r["code"]: r["name"]
            for r in catalog.rows(queries.distinct_area_names(len(names)), *names)
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
    meta = {r["id"]: r for r in catalog.rows(queries.INDICATOR_LABELS)}
    labels = {(r["indicator"], r["id"]): r for r in catalog.rows(queries.VARIANT_LABELS)}
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

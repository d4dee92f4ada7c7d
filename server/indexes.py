"""Index endpoints: the indexes and their definitions, an area's breakdown (pillars against
the median, where it struggles, the measures behind it) and any group compared with the rest."""

from __future__ import annotations

import json
import statistics
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from levelup.errors import BadRequestError, NotFoundError
from levelup.settings import Settings
from server import params, queries
from server.analysis import Analysis
from server.catalog import Catalog, DataStore

WEAKEST = 3
RULES = {
    "robust-z": "Each measure is a robust z-score, (value - median) / (1.4826 × MAD), turned so "
    "that higher is better and capped at ±{cap:g}; 0 is the typical district.",
    "frontier": "Each measure is a distance to the frontier: 0 at the worst and 100 at the best "
    "district (the {low:g}th and {high:g}th percentiles), turned so that higher is better.",
}


def rules(definition: dict[str, Any]) -> list[str]:
    """The method and the missing-value rule of a definition, in words."""
    m = definition["method"]
    u = definition["uncertainty"]
    pooled = "all districts and years together" if m["reference"] == "pooled" else "each year"
    return [
        RULES[m["scaling"]].format(cap=m["cap"], low=100 * m["trim"], high=100 * (1 - m["trim"]))
        + f" Medians and spreads are taken over {pooled}.",
        "Pillars are weighted means of their measures, domains of their pillars and the index "
        "of its domains (weights relative within each parent).",
        f"An area gets a pillar, domain or index score only when the parts it has carry at "
        f"least {m['min_share']:.0%} of the weight of the parts published that year (a measure "
        "counts as published when a quarter of the districts have it).",
        f"A missing value may be replaced by the area's latest value up to "
        f"{m['carry_forward']} years older; such values are flagged. A year is scored only "
        f"when at least {m['min_share']:.0%} of its values are its own.",
        f"Rank intervals: {u['draws']} seeded runs (seed {u['seed']}) with every weight "
        f"multiplied by a factor from U({1 - u['spread']:g}, {1 + u['spread']:g})"
        + (", each run also leaving out one measure in turn" if u["leave_one_out"] else "")
        + f"; the likely range is the central {u['coverage']:.0%} of the ranks (it always "
        "includes the rank under the stated weights).",
    ]


class Indexes:
    """The index endpoints, bound to a data store."""

    def __init__(self, store: DataStore, settings: Settings) -> None:
        self.store = store
        self.analysis = Analysis(store, settings)

    def _index(self, catalog: Catalog, index_id: str) -> dict[str, Any]:
        rows = catalog.rows(queries.INDEX, index_id)
        if not rows:
            raise NotFoundError(f"no index {params.shown(index_id)}")
        row = rows[0]
        definition = json.loads(row["definition"])
        years = catalog.rows(
            queries.INDEX_YEARS,
            index_id,
        )
        for year in years:
            for key in ("measures", "pillars", "domains"):
                year[key] = json.loads(year[key])
        return {
            "id": row["id"],
            "title": row["title"],
            "description": row["description"],
            "level": row["level"],
            "source": row["source"],
            "definition": definition,
            "status": json.loads(row["status"]),
            "rules": rules(definition),
            "years": years,
        }

    async def listing(self, request: Request) -> Response:
        """Every index with its status per pillar and the years it covers."""
        params.allowed(request)
        catalog = self.store.current()
        ids = [r["id"] for r in catalog.rows(queries.INDEX_IDS)]
        out = []
        for index_id in ids:
            entry = self._index(catalog, index_id)
            years = [y["year"] for y in entry.pop("years")]
            entry["years"] = years
            out.append(entry)
        return JSONResponse({"indexes": out})

    async def one(self, request: Request) -> Response:
        """One index: definition, method in words, pillar status, and each year's contents."""
        params.allowed(request)
        return JSONResponse(self._index(self.store.current(), request.path_params["index"]))

    async def definition(self, request: Request) -> Response:
        """The definition as TOML, to edit and add back as your own index."""
        params.allowed(request)
        catalog = self.store.current()
        index_id = request.path_params["index"]
        rows = catalog.rows(queries.INDEX_DEFINITION, index_id)
        if not rows:
            raise NotFoundError(f"no index {params.shown(index_id)}")
        return Response(
            rows[0]["toml"],
            media_type="application/toml; charset=utf-8",
            headers={"Content-Disposition": f'attachment; filename="{index_id}.toml"'},
        )

    async def area(self, request: Request) -> Response:
        """An area's index, domains and pillars (score, rank, likely range, median), its three
        weakest pillars, the measures behind them and its history."""
        params.allowed(request, "year")
        catalog = self.store.current()
        entry = self._index(catalog, request.path_params["index"])
        code = request.path_params["code"]
        if not params.CODE.match(code):
            raise BadRequestError(f"{params.shown(code)} is not an area code")
        return JSONResponse(breakdown(catalog, entry, code, request))

    async def compare(self, request: Request) -> Response:
        """A group of areas (group:ID, cluster:SET:N or codes:A+B) against all the others:
        share in the bottom half of the index, and its pillars against the rest's."""
        params.allowed(request, "items", "year")
        catalog = self.store.current()
        entry = self._index(catalog, request.path_params["index"])
        years = [y["year"] for y in entry["years"]]
        year = params.year(request, "year", years, years[-1] if years else None)
        item = params.query(request, "items")
        if not item:
            raise BadRequestError(
                "parameter 'items' is required: group:ID, cluster:SET:N or codes:A+B"
            )
        label, members = self._members(catalog, item, year, entry["level"])
        return JSONResponse(compare_group(catalog, entry, year, item, label, members))

    def _members(self, catalog: Catalog, item: str, year: int, level: str) -> tuple[str, list[str]]:
        if item.startswith("codes:"):
            codes = [c.strip() for c in item[6:].replace(" ", "+").split("+") if c.strip()]
            if not codes or not all(params.CODE.match(c) for c in codes) or len(codes) > 2000:
                raise BadRequestError("parameter 'items': codes:A+B+C with up to 2000 area codes")
            return f"{len(codes)} chosen areas", codes
        if item.startswith("cluster:"):
            parts = item.split(":")
            if len(parts) != 3 or not parts[2].isdigit():
                raise BadRequestError("parameter 'items': cluster:SET:N, e.g. cluster:global:2")
            rows = catalog.rows(
                queries.AREA_TYPE_MEMBERS,
                parts[1],
                year,
                float(parts[2]),
            )
            if not rows:
                raise NotFoundError(f"no area type {parts[2]} of the {parts[1]!r} set in {year}")
            return f"Area type {parts[2]} ({parts[1]}, {year})", [r["code"] for r in rows]
        if item.startswith("group:"):
            group = self.analysis.all_groups(catalog).get(item[6:])
            if group is None:
                raise NotFoundError(f"unknown group {params.shown(item[6:])}")
            for membership in group["members"]:
                if membership["level"] == level:
                    return group["title"], [a[0] for a in membership["areas"]]
            raise BadRequestError(f"group {item[6:]!r} has no {level} members")
        raise BadRequestError("parameter 'items' must be group:ID, cluster:SET:N or codes:A+B")


def _scores(
    catalog: Catalog, index_id: str, code: str | None, year: int | None
) -> list[dict[str, Any]]:
    return catalog.rows(
        queries.INDEX_SCORES,
        index_id,
        code,
        code,
        year,
        year,
    )


def breakdown(
    catalog: Catalog, entry: dict[str, Any], code: str, request: Request
) -> dict[str, Any]:
    """The panel's data for one area (see Indexes.area)."""
    rows = _scores(catalog, entry["id"], code, None)
    if not rows:
        raise NotFoundError(f"{code} has no {entry['id']} scores")
    years = sorted({r["year"] for r in rows if r["variant"] == "overall"}) or sorted(
        {r["year"] for r in rows}
    )
    year = params.year(request, "year", years, years[-1])
    now = {r["variant"]: r for r in rows if r["year"] == year}
    definition = entry["definition"]
    parts = {d["id"]: d for d in definition["domain"]}
    pillars = []
    for domain in definition["domain"]:
        for pillar in domain["pillar"]:
            status = entry["status"][pillar["id"]]
            found = now.get(pillar["id"])
            pillars.append(
                {
                    "id": pillar["id"],
                    "title": pillar["title"],
                    "domain": domain["id"],
                    "weight": pillar["weight"],
                    "status": status["status"],
                    "note": pillar.get("note", ""),
                    **_standing(found),
                }
            )
    scored = [p for p in pillars if p["score"] is not None]
    weakest = sorted(scored, key=lambda p: (p["percentile"], p["score"] - p["median"]))[:WEAKEST]
    name = catalog.rows(queries.AREA_NAME, code)
    inputs = catalog.rows(
        queries.INDEX_INPUTS,
        entry["id"],
        code,
        year,
    )
    return {
        "index": entry["id"],
        "title": entry["title"],
        "code": code,
        "name": name[0]["name"] if name else None,
        "year": year,
        "years": years,
        "overall": _standing(now.get("overall")),
        "domains": [
            {
                "id": d,
                "title": parts[d]["title"],
                "weight": parts[d]["weight"],
                **_standing(now.get(d)),
            }
            for d in parts
        ],
        "pillars": pillars,
        "weakest": [p["id"] for p in weakest],
        "measures": _measures(catalog, definition, inputs, year),
        "history": [
            {k: r[k] for k in ("year", "value", "rank", "of", "rank_low", "rank_high")}
            for r in rows
            if r["variant"] == "overall"
        ],
    }


def _standing(row: dict[str, Any] | None) -> dict[str, Any]:
    keys = (
        "rank",
        "of",
        "percentile",
        "rank_low",
        "rank_high",
        "lower",
        "upper",
        "median",
        "p25",
        "p75",
        "change",
        "prev_year",
    )
    if row is None:
        return {"score": None, **dict.fromkeys(keys)}
    out = {"score": row["value"], **{k: row[k] for k in keys}}
    for key in ("rank", "of", "rank_low", "rank_high", "prev_year"):
        out[key] = None if out[key] is None else int(out[key])
    return out


def _measures(
    catalog: Catalog, definition: dict[str, Any], inputs: list[dict[str, Any]], year: int
) -> list[dict[str, Any]]:
    """The area's measures with the pillar(s) they feed, their value, unit and score."""
    found = {r["measure"]: r for r in inputs}
    labels = {(r["indicator"], r["id"]): r for r in catalog.rows(queries.INDEX_MEASURES)}
    out = []
    for domain in definition["domain"]:
        for pillar in domain["pillar"]:
            for measure in pillar["measure"]:
                mid = f"{measure['indicator']}/{'+'.join(measure['variant'])}"
                row = found.get(mid)
                variant = row["variant"] if row else measure["variant"][0]
                label = labels.get((measure["indicator"], variant), {})
                out.append(
                    {
                        "measure": mid,
                        "pillar": pillar["id"],
                        "title": label.get("title", measure["indicator"]),
                        "variant_label": label.get("label", variant),
                        "unit": label.get("unit", ""),
                        "decimals": label.get("decimals", 1),
                        "direction": measure["direction"],
                        "weight": measure["weight"],
                        "value": row["value"] if row else None,
                        "score": row["score"] if row else None,
                        "from_year": row["from_year"] if row else None,
                        "carried": bool(row and row["from_year"] < year),
                    }
                )
    return out


def compare_group(
    catalog: Catalog,
    entry: dict[str, Any],
    year: int,
    item: str,
    label: str,
    members: list[str],
) -> dict[str, Any]:
    """Group against the rest for one year: share in the bottom half of the index and of each
    pillar, and each pillar's median score in and out of the group (weakest first)."""
    rows = _scores(catalog, entry["id"], None, year)
    wanted = set(members)
    by_variant: dict[str, list[dict[str, Any]]] = {}
    for row in rows:
        by_variant.setdefault(row["variant"], []).append(row)
    overall = by_variant.get("overall", [])
    scored = [r for r in overall if r["code"] in wanted]
    if not scored:
        raise NotFoundError(f"{item}: none of its areas has a {entry['id']} score in {year}")

    def summary(variant_rows: list[dict[str, Any]]) -> dict[str, Any]:
        inside = [r for r in variant_rows if r["code"] in wanted]
        outside = [r for r in variant_rows if r["code"] not in wanted]
        bottom = [r for r in inside if r["rank"] > r["of"] / 2]
        median_in = statistics.median(r["value"] for r in inside) if inside else None
        median_out = statistics.median(r["value"] for r in outside) if outside else None
        return {
            "areas": len(inside),
            "bottom_half": len(bottom),
            "bottom_half_share": len(bottom) / len(inside) if inside else None,
            "median": median_in,
            "median_rest": median_out,
            "gap": None if median_in is None or median_out is None else median_in - median_out,
        }

    pillars = []
    for domain in entry["definition"]["domain"]:
        for pillar in domain["pillar"]:
            if pillar["id"] in by_variant:
                pillars.append(
                    {
                        "id": pillar["id"],
                        "title": pillar["title"],
                        "domain": domain["id"],
                        **summary(by_variant[pillar["id"]]),
                    }
                )
    pillars.sort(key=lambda p: (p["gap"] is None, p["gap"] if p["gap"] is not None else 0.0))
    return {
        "index": entry["id"],
        "year": year,
        "item": item,
        "label": label,
        "members": len(members),
        "scored": len(scored),
        "missing": sorted(wanted - {r["code"] for r in overall}),
        "overall": summary(overall),
        "pillars": pillars,
        "weakest": [p["id"] for p in pillars if p["gap"] is not None and p["gap"] < 0][:WEAKEST],
    }

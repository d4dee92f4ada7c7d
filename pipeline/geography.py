"""How areas relate: the parents of every area (county, combined authority, region, ITL, NUTS)
and where each area of a set sits on a hex cartogram; both written to the database from what
it already holds, so a build and a one-indicator replacement give the same tables."""

from __future__ import annotations

import json
import sqlite3
from collections import defaultdict
from collections.abc import Iterable

import numpy as np
import shapely

from boundaries.hex import HexLayout, best_layout, default_layouts, ring_lonlat, to_lonlat
from boundaries.hex import centre as hex_centre
from boundaries.registry import Registry

# Parent levels of each level (UK: by where an area's inner point falls; NUTS: by code).
PARENT_LEVELS = {
    "lad": ("ctyua", "cauth", "rgn", "itl3", "itl2"),
    "ctyua": ("cauth", "rgn"),
    "cauth": ("rgn",),
    "itl3": ("itl2", "rgn"),
    "itl2": ("rgn",),
}
NUTS_PARENTS = {"nuts3": ("nuts2", "nuts1", "nuts0"), "nuts2": ("nuts1", "nuts0")}
NUTS_PARENTS["nuts1"] = ("nuts0",)
NEAREST_DEG = 0.02  # an inner point just outside every parent (coast): the nearest within ~2 km


def _family(code: str) -> str:
    return "itl" if code.startswith("TL") else "gss"


def _sets(connection: sqlite3.Connection) -> dict[str, dict[str, object]]:
    connection.row_factory = sqlite3.Row
    rows = connection.execute(
        "SELECT id, level, vintage, year_from, year_to, features FROM boundary_sets"
    ).fetchall()
    connection.row_factory = None
    return {r["id"]: dict(r) for r in rows}


def _overlap(a: dict[str, object], b: dict[str, object]) -> int:
    low = max(int(str(a["year_from"])), int(str(b["year_from"])))
    high = min(int(str(a["year_to"])), int(str(b["year_to"])))
    return high - low


def _parent_sets(
    child: dict[str, object], candidates: list[dict[str, object]], families: dict[str, set[str]]
) -> list[dict[str, object]]:
    """Per code family (GSS, ITL), the parent set whose years overlap the child's most."""
    best: dict[str, dict[str, object]] = {}
    for candidate in candidates:
        for family in families[str(candidate["id"])]:
            score = (_overlap(child, candidate), candidate["features"], candidate["vintage"])
            held = best.get(family)
            if held is None or score > (
                _overlap(child, held),
                held["features"],
                held["vintage"],
            ):
                best[family] = candidate
    return list(best.values())


def _geometries(connection: sqlite3.Connection, set_id: str) -> tuple[list[str], np.ndarray]:
    rows = connection.execute(
        "SELECT code, geometry FROM areas WHERE set_id = ? ORDER BY fid", (set_id,)
    ).fetchall()
    return [r[0] for r in rows], shapely.from_geojson([r[1] for r in rows])


def _containing(points: np.ndarray, codes: list[str], polygons: np.ndarray) -> list[str | None]:
    tree = shapely.STRtree(polygons)
    found: list[str | None] = [None] * len(points)
    inside = tree.query(points, predicate="within")
    for point, polygon in zip(inside[0], inside[1], strict=True):
        found[int(point)] = found[int(point)] or codes[int(polygon)]
    missing = [i for i, f in enumerate(found) if f is None]
    if missing:
        near = tree.query_nearest(points[missing], max_distance=NEAREST_DEG, all_matches=False)
        for point, polygon in zip(near[0], near[1], strict=True):
            found[missing[int(point)]] = codes[int(polygon)]
    return found


def write_parents(connection: sqlite3.Connection) -> int:
    """Rebuild `area_parents` from the areas in the database; return the rows written."""
    connection.execute("DELETE FROM area_parents")
    sets = _sets(connection)
    by_level: dict[str, list[dict[str, object]]] = defaultdict(list)
    for spec in sets.values():
        by_level[str(spec["level"])].append(spec)
    families = {
        s: {
            _family(r[0])
            for r in connection.execute("SELECT code FROM areas WHERE set_id = ?", (s,))
        }
        for s in sets
    }
    rows: list[tuple[str, str, str, str, str, str]] = []
    for set_id, spec in sets.items():
        level = str(spec["level"])
        codes = [
            r[0]
            for r in connection.execute(
                "SELECT code FROM areas WHERE set_id = ? ORDER BY fid", (set_id,)
            )
        ]
        if level in NUTS_PARENTS:
            for parent_level in NUTS_PARENTS[level]:
                size = int(parent_level[-1]) + 2
                for parent in by_level[parent_level]:
                    if parent["vintage"] != spec["vintage"]:
                        continue
                    known = {r[0] for r in connection.execute(
                        "SELECT code FROM areas WHERE set_id = ?", (parent["id"],))}  # fmt: skip
                    rows += [
                        (c, level, set_id, c[:size], parent_level, str(parent["id"]))
                        for c in codes
                        if c[:size] in known
                    ]
            continue
        points = None
        for parent_level in PARENT_LEVELS.get(level, ()):
            for parent in _parent_sets(spec, by_level[parent_level], families):
                if _overlap(spec, parent) < 0:
                    continue
                if points is None:
                    xy = connection.execute(
                        "SELECT lon, lat FROM areas WHERE set_id = ? ORDER BY fid", (set_id,)
                    ).fetchall()
                    points = shapely.points(np.array(xy, dtype=float).reshape(-1, 2))
                parent_codes, polygons = _geometries(connection, str(parent["id"]))
                for code, found in zip(
                    codes, _containing(points, parent_codes, polygons), strict=True
                ):
                    if found is not None and found != code:
                        rows.append((code, level, set_id, found, parent_level, str(parent["id"])))
    connection.executemany("INSERT OR IGNORE INTO area_parents VALUES (?, ?, ?, ?, ?, ?)", rows)
    return len(rows)


def write_hex_layouts(
    connection: sqlite3.Connection,
    registry: Registry,
    layouts: Iterable[HexLayout] | None = None,
) -> None:
    """The hex layouts and every hexagon (centre and polygon in the frame, as GeoJSON)."""
    for layout in layouts if layouts is not None else default_layouts():
        source = registry.sources.get(layout.file)
        rows = []
        for h in layout.hexes:
            lon, lat = to_lonlat(*hex_centre(h.q, h.r, layout.layout))
            ring = ring_lonlat(h.q, h.r, layout.layout)
            geometry = json.dumps({"type": "Polygon", "coordinates": [ring]}, separators=(",", ":"))
            rows.append(
                (layout.id, h.id, h.name, h.short, h.q, h.r, h.region, round(lon, 7),
                 round(lat, 7), geometry)
            )  # fmt: skip
        lons = [p[0] for r in rows for p in json.loads(r[9])["coordinates"][0]]
        lats = [p[1] for r in rows for p in json.loads(r[9])["coordinates"][0]]
        connection.execute(
            "INSERT INTO hex_layouts VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (
                layout.id, layout.level, layout.title, layout.file, layout.layout,
                len(layout.hexes), min(lons), min(lats), max(lons), max(lats),
                source.attribution, source.licence.title, source.licence.url, source.origin,
            ),
        )  # fmt: skip
        connection.executemany("INSERT INTO hexes VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", rows)


def _changes(connection: sqlite3.Connection) -> tuple[dict[str, set[str]], dict[str, set[str]]]:
    links: dict[str, set[str]] = defaultdict(set)
    before: dict[str, set[str]] = defaultdict(set)
    for old, new, kind in connection.execute("SELECT old, new, kind FROM code_changes"):
        if kind == "recode":
            links[old].add(new)
            links[new].add(old)
        elif new:
            before[new].add(old)
    return links, before


def write_hex_areas(connection: sqlite3.Connection, set_ids: Iterable[str] | None = None) -> None:
    """Place the areas of each set (all sets when None) on its best hex layout."""
    links, before = _changes(connection)

    def equivalents(code: str) -> set[str]:
        seen, todo = {code}, [code]
        while todo:
            for other in links.get(todo.pop(), ()):
                if other not in seen:
                    seen.add(other)
                    todo.append(other)
        return seen - {code}

    def predecessors(code: str) -> set[str]:
        return set().union(*(before.get(c, set()) for c in (code, *equivalents(code))))

    sets = _sets(connection)
    for set_id in set_ids if set_ids is not None else list(sets):
        level = str(sets[set_id]["level"])
        codes = [
            r[0]
            for r in connection.execute(
                "SELECT code FROM areas WHERE set_id = ? ORDER BY fid", (set_id,)
            )
        ]
        found = best_layout(codes, level, default_layouts(), equivalents, predecessors)
        if found is None:
            continue
        connection.execute("DELETE FROM hex_sets WHERE set_id = ?", (set_id,))
        connection.execute("DELETE FROM hex_areas WHERE set_id = ?", (set_id,))
        connection.execute(
            "INSERT INTO hex_sets VALUES (?, ?, ?, ?, ?)",
            (set_id, found.layout.id, len(codes), found.placed, int(found.offered)),
        )
        if not found.offered:
            continue
        connection.executemany(
            "INSERT INTO hex_areas VALUES (?, ?, ?, ?)",
            [(set_id, p.code, h, p.how) for p in found.placements for h in (p.hexes or (None,))],
        )

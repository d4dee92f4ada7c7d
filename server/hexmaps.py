"""Hex cartograms over HTTP: the layouts and their frame, and a hex map's data as GeoJSON (one
feature per hexagon) and as HexJSON with values (Open Innovations' tools read it as is).

Everything comes from the database and the tiles manifest: a hex extract describes exactly the
hex tileset of the same indicator, measure, level and year.
"""

from __future__ import annotations

import json
import math
from typing import Any

import numpy as np
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from levelup.errors import NotFoundError
from server import params, queries
from server.catalog import Catalog, DataStore, Tileset
from server.extracts import select
from server.hexframe import FRAME, layout_row, missing_areas
from server.styles import legend
from tiles.classes import classify

PROPERTIES = ("rank", "of", "percentile", "z", "index", "change_pct", "national", "country_index")


def _number(value: Any) -> Any:
    return None if isinstance(value, float) and not math.isfinite(value) else value


def hex_tileset(catalog: Catalog, request: Request) -> Tileset:
    """The hex tileset an extract request names (indicator, variant, level, year)."""
    params.allowed(request, "variant", "level", "year")
    chosen = select(catalog, request)
    year = params.year(request, "year", chosen.years, chosen.years[-1] if chosen.years else None)
    key = f"{chosen.indicator['id']}.{chosen.variant}.{chosen.level}.{year}.hex"
    if key not in catalog.tilesets:
        raise NotFoundError(
            f"no hex map of {chosen.indicator['id']} ({chosen.variant}) for {chosen.level} in "
            f"{year}: hex layouts exist for districts and UK NUTS 3 regions (GET /api/hexmaps)"
        )
    return catalog.tilesets[key]


def hex_rows(catalog: Catalog, tileset: Tileset) -> list[dict[str, Any]]:
    """One row per hexagon of a hex tileset: the hex, its area and the area's values."""
    rows = catalog.rows(
        queries.HEX_ROWS,
        tileset.layout, tileset.indicator, tileset.variant, tileset.level, tileset.year,
        tileset.set_id,
    )  # fmt: skip
    values = np.array([r["value"] if r["value"] is not None else np.nan for r in rows], float)
    classes = classify(values, tileset.breaks) if tileset.breaks else np.full(len(rows), -1)
    for row, klass in zip(rows, classes, strict=True):
        row["class"] = int(klass) if klass >= 0 else None
    return rows


def _properties(row: dict[str, Any], tileset: Tileset) -> dict[str, Any]:
    return {
        "code": row["code"],
        "name": row["name"],
        "hex": row["hex"],
        "q": row["q"],
        "r": row["r"],
        "region": row["region"],
        "indicator": tileset.indicator,
        "variant": tileset.variant,
        "level": tileset.level,
        "year": tileset.year,
        "period": row["period"] or tileset.period,
        "unit": tileset.unit,
        "value": _number(row["value"]),
        "class": row["class"],
        **{k: _number(row[k]) for k in PROPERTIES},
    }


class HexMaps:
    """The hex endpoints, bound to a data store."""

    def __init__(self, store: DataStore) -> None:
        self.store = store

    async def listing(self, request: Request) -> Response:
        """Every hex layout, the frame they are drawn in, and the boundary sets drawn on each
        (with how many of their areas have a hex)."""
        params.allowed(request)
        catalog = self.store.current()
        sets: dict[str, list[dict[str, Any]]] = {}
        for row in catalog.rows(queries.HEX_SETS):
            sets.setdefault(row["layout"], []).append({**row, "offered": bool(row["offered"])})
        layouts = [
            {**row, "sets": sets.get(row["id"], [])} for row in catalog.rows(queries.HEX_LAYOUTS)
        ]
        return JSONResponse({"frame": FRAME, "layouts": layouts})

    async def geojson(self, request: Request) -> Response:
        """A FeatureCollection of the hexagons of one hex map (lon/lat in the hex frame), one
        feature per hexagon, with its area's values (an area merged from others is drawn on
        their hexes: one feature each, with the same code)."""
        catalog = self.store.current()
        tileset = hex_tileset(catalog, request)
        features = [
            {
                "type": "Feature",
                "id": row["hex"],
                "properties": _properties(row, tileset),
                "geometry": json.loads(row["geometry"]),
            }
            for row in hex_rows(catalog, tileset)
        ]
        body = {
            "type": "FeatureCollection",
            "name": f"{tileset.id}",
            "description": tileset.description,
            "attribution": tileset.attribution,
            "frame": FRAME,
            "missing": missing_areas(tileset),
            "features": features,
        }
        name = f"{tileset.id}.geojson"
        return JSONResponse(
            body,
            media_type="application/geo+json",
            headers={"Content-Disposition": f'inline; filename="{name}"'},
        )

    async def hexjson(self, request: Request) -> Response:
        """The hex map as HexJSON: the layout's hexes, each with its area's values and the
        colour the map gives it (`colour`, which Open Innovations' tools draw by default)."""
        catalog = self.store.current()
        tileset = hex_tileset(catalog, request)
        row = layout_row(catalog, tileset.layout)
        colours = {c["class"]: c["color"] for c in legend(tileset)["classes"]}
        no_data = legend(tileset)["no_data"]["color"]
        hexes = {}
        for hexagon in hex_rows(catalog, tileset):
            props = _properties(hexagon, tileset)
            hexes[hexagon["hex"]] = {
                "n": hexagon["name"],
                "q": hexagon["q"],
                "r": hexagon["r"],
                **{k: v for k, v in props.items() if k not in ("q", "r", "hex")},
                "colour": colours.get(hexagon["class"], no_data),
            }
        body = {
            "layout": row["layout"],
            "hexes": hexes,
            "title": tileset.name,
            "attribution": tileset.attribution,
            "missing": missing_areas(tileset),
        }
        return JSONResponse(
            body,
            headers={"Content-Disposition": f'attachment; filename="{tileset.id}.hexjson"'},
        )

"""The hex frame and what a hex tileset's description adds (layout, frame, areas without a
hex, downloads); read by the tileset endpoint and the hex extracts."""

from __future__ import annotations

from typing import Any

from boundaries.hex import ORIGIN_M, RADIUS_M
from levelup.errors import NotFoundError
from server import queries
from server.catalog import Catalog, Tileset

FRAME = {
    "crs": "EPSG:3857",
    "hexagon": "pointy-topped",
    "radius_m": RADIUS_M,
    "origin_m": list(ORIGIN_M),
    "centre": "x = origin_x + √3·radius·(q + shift), y = origin_y + 1.5·radius·r; shift = 0.5 "
    "on odd rows of an odd-r layout and on even rows of an even-r layout; r counts northwards",
    "note": "Hex cartograms sit near 0°N 0°E, east and north of it, where no real map is: "
    "every area is one hexagon of the same size, so the picture is not geography. Any "
    "MapLibre client shows the tiles as they are; do not lay them over a basemap.",
}


def layout_row(catalog: Catalog, layout: str) -> dict[str, Any]:
    """A layout's row from the database."""
    rows = catalog.rows(queries.HEX_LAYOUT, layout)
    if not rows:
        raise NotFoundError(f"unknown hex layout {layout!r}")
    return rows[0]


def missing_areas(tileset: Tileset) -> list[dict[str, str]]:
    """The areas of a hex tileset with a value but no hex, and why."""
    return [{"code": c, "name": n, "why": w} for c, n, w in tileset.missing]


def hex_facts(catalog: Catalog, tileset: Tileset, base: str) -> dict[str, Any]:
    """What a hex tileset's description adds: layout, frame, areas not drawn, downloads."""
    row = layout_row(catalog, tileset.layout)
    query = f"variant={tileset.variant}&level={tileset.level}&year={tileset.year}"
    base = f"{base}/api/indicators/{tileset.indicator}"
    return {
        "layout": {k: row[k] for k in ("id", "title", "hexes", "attribution", "licence")},
        "frame": FRAME,
        "missing": missing_areas(tileset),
        "hexes_geojson": f"{base}/hexes.geojson?{query}",
        "hexjson": f"{base}/data.hexjson?{query}",
    }

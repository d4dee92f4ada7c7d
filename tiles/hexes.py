"""Hex cartogram pyramids: the areas of one boundary set drawn on its hex layout, cut once per
set and reused by every tileset on that set (like the geometry pyramids of tiles.pyramids).

Each tile of a hex tileset has three layers: the data layer named after the level (the same
properties as the map's tiles, one (multi)polygon per area), `labels` (a point per area at its
hex: code, name, short) and `regions` (the layout's regions as polygons, for outlines). The
hexagons sit in the fixed frame boundaries/hex.py documents; the database holds them.
"""

from __future__ import annotations

import hashlib
import json
import sqlite3
from dataclasses import replace
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import shapely

from boundaries.areas import Areas
from levelup import db
from levelup.provenance import merge_attributions
from tiles.cutter import build_pyramid
from tiles.entry import HEX_LAYERS
from tiles.mvt import EXTENT, encode_layer, encode_point_feature, encode_properties, encode_tile
from tiles.pyramid import GeometryPyramid
from tiles.tilemath import Tile, mercator_bounds, tile_size_m
from tiles.tileset import TilesetSpec

MINZOOM = 3  # below this the whole layout is a few pixels wide
MAXZOOM = 8  # a hex is ~450 tile units wide at z8: clients overzoom the straight edges
LABELS_FROM = 5  # the label points are in tiles from this zoom (styles name hexes from z6.5)
LABEL_KEYS = ("code", "name", "short")
HALF = 20037508.342789244


def _rows(connection: sqlite3.Connection, sql: str, *args: object) -> list[sqlite3.Row]:
    connection.row_factory = sqlite3.Row
    return connection.execute(sql, args).fetchall()


def hex_sets(connection: sqlite3.Connection) -> dict[str, tuple[str, str, str]]:
    """Boundary sets with a hex map worth drawing: their layout's id, title and attribution."""
    return {
        r["set_id"]: (r["layout"], r["title"], r["attribution"])
        for r in _rows(
            connection,
            "SELECT s.set_id, s.layout, l.title, l.attribution FROM hex_sets s "
            "JOIN hex_layouts l ON l.id = s.layout WHERE s.offered = 1",
        )
    }


def missing(connection: sqlite3.Connection, set_id: str) -> dict[str, tuple[str, str]]:
    """Areas of a set with no hex: code -> (name, why)."""
    return {
        r["code"]: (r["name"], r["how"])
        for r in _rows(
            connection,
            "SELECT h.code, a.name, h.how FROM hex_areas h JOIN areas a ON a.set_id = h.set_id "
            "AND a.code = h.code WHERE h.set_id = ? AND h.hex IS NULL ORDER BY a.name",
            set_id,
        )
    }


def _inputs(connection: sqlite3.Connection, set_id: str, layout: str) -> dict[str, list[list[Any]]]:
    return {
        "areas": [
            list(r)
            for r in _rows(
                connection,
                "SELECT code, name, fid FROM areas WHERE set_id = ? ORDER BY fid",
                set_id,
            )
        ],
        "placed": [
            list(r)
            for r in _rows(
                connection,
                "SELECT code, hex FROM hex_areas WHERE set_id = ? AND hex IS NOT NULL "
                "ORDER BY code, hex",
                set_id,
            )
        ],
        "hexes": [
            list(r)
            for r in _rows(
                connection,
                "SELECT id, short, region, lon, lat, geometry FROM hexes WHERE layout = ? "
                "ORDER BY id",
                layout,
            )
        ],
    }


def _label_tiles(points: list[tuple[float, float, dict[str, str]]]) -> dict[Tile, bytes]:
    keys = {k: i for i, k in enumerate(LABEL_KEYS)}
    out: dict[Tile, list[tuple[bytes, list[tuple[int, bytes]]]]] = {}
    for z in range(LABELS_FROM, MAXZOOM + 1):
        size = tile_size_m(z)
        for fid, (x, y, props) in enumerate(points):
            tile = Tile(z, int((x + HALF) // size), int((HALF - y) // size))
            west, _, _, north = mercator_bounds(tile)
            local = (round((x - west) / size * EXTENT), round((north - y) / size * EXTENT))
            feature = encode_point_feature(fid, *local)
            out.setdefault(tile, []).append((feature, encode_properties(props, keys)))
    return {tile: encode_layer("labels", pairs, LABEL_KEYS) for tile, pairs in out.items()}


def build_hex_pyramid(connection: sqlite3.Connection, set_id: str, layout: str) -> GeometryPyramid:
    """The hex pyramid of one set on one layout: areas in the set's feature order (an area
    with no hex has no feature), with the labels and regions layers."""
    data = _inputs(connection, set_id, layout)
    hexes = {str(h[0]): h for h in data["hexes"]}
    polygons = {k: shapely.from_geojson(str(h[5])) for k, h in hexes.items()}
    placed: dict[str, list[str]] = {}
    for code, hex_id in data["placed"]:
        placed.setdefault(str(code), []).append(str(hex_id))
    codes = [str(a[0]) for a in data["areas"]]
    geometry = [
        shapely.union_all([polygons[h] for h in placed[c]], grid_size=1e-7)
        if c in placed
        else shapely.Polygon()
        for c in codes
    ]
    frame = gpd.GeoDataFrame(
        {"code": codes, "name": [str(a[1]) for a in data["areas"]], "set_id": set_id},
        geometry=geometry,
        crs="EPSG:4326",
    )
    pyramid = _from_minzoom(build_pyramid(Areas.of(frame), maxzoom=MAXZOOM))
    regions: dict[str, list[shapely.Geometry]] = {}
    for key, h in hexes.items():
        regions.setdefault(str(h[2]), []).append(polygons[key])
    names = sorted(regions)
    outlines = gpd.GeoDataFrame(
        {"code": names, "name": names, "set_id": f"{layout}-regions"},
        geometry=[shapely.union_all(regions[n], grid_size=1e-7) for n in names],
        crs="EPSG:4326",
    )
    region_tiles = _from_minzoom(build_pyramid(Areas.of(outlines), maxzoom=MAXZOOM)).tiles
    points = []
    for code, name in zip(codes, frame["name"], strict=True):
        if code not in placed:
            continue
        centres = np.array([[float(hexes[h][3]), float(hexes[h][4])] for h in placed[code]])
        middle = placed[code][int(np.argmin(((centres - centres.mean(0)) ** 2).sum(1)))]
        x, y = _mercator(float(hexes[middle][3]), float(hexes[middle][4]))
        points.append((x, y, {"code": code, "name": str(name), "short": str(hexes[middle][1])}))
    labels = _label_tiles(points)
    keys = {"code": 0}
    for tile in sorted(set(labels) | set(region_tiles)):
        layers = [labels[tile]] if tile in labels else []
        if tile in region_tiles:
            pairs = [
                (f.static, encode_properties({"code": names[f.fid]}, keys))
                for f in region_tiles[tile]
            ]
            layers.append(encode_layer("regions", pairs, ("code",)))
        pyramid.extra[tile] = encode_tile(layers)
    pyramid.extra_layers = HEX_LAYERS
    return pyramid


def hex_spec(
    spec: TilesetSpec,
    layout: tuple[str, str, str],
    without_hex: dict[str, tuple[str, str]],
    codes: list[str],
    columns: dict[str, np.ndarray],
) -> TilesetSpec:
    """The spec of a tileset's hex twin: its layout (id, title, attribution), what it is, and
    the areas with a value this year that have no hex (listed, never dropped silently)."""
    at = {code: i for i, code in enumerate(codes)}
    valued = np.isfinite(np.asarray(columns["value"], dtype=float))
    listed = tuple(
        (code, name, why)
        for code, (name, why) in without_hex.items()
        if code in at and valued[at[code]]
    )
    layout_id, title, credit = layout
    about = (
        f" Drawn as a hex cartogram ({title}, Open Innovations): one hexagon per area, in the "
        "levelup hex frame (EPSG:3857 near 0°N 0°E, hexagons of 10 km radius), not geography."
    )
    return replace(
        spec,
        layout=layout_id,
        missing=listed,
        description=spec.description + about,
        attribution=merge_attributions([spec.attribution, credit]),
    )


def _from_minzoom(pyramid: GeometryPyramid) -> GeometryPyramid:
    """The pyramid without its tiles below MINZOOM."""
    pyramid.tiles = {t: f for t, f in pyramid.tiles.items() if t.z >= MINZOOM}
    pyramid.info = replace(pyramid.info, minzoom=MINZOOM, center=(*pyramid.info.center[:2], 6))
    return pyramid


def _mercator(lon: float, lat: float) -> tuple[float, float]:
    x = np.radians(lon) * 6378137.0
    y = np.log(np.tan(np.pi / 4 + np.radians(lat) / 2)) * 6378137.0
    return float(x), float(y)


def ensure_hex_pyramids(
    data_dir: Path, root: Path, format_digest: str, wanted: set[str]
) -> dict[str, Path]:
    """Cut (or find cached) the hex pyramid of every wanted set that has a hex map; the file
    is named by a digest of what it is made from, so a changed layout or set is recut."""
    connection = db.open_readonly(db.db_path(data_dir))
    try:
        layouts = {s: layout[0] for s, layout in hex_sets(connection).items()}
        root.mkdir(parents=True, exist_ok=True)
        paths = {}
        for set_id in sorted(wanted & set(layouts)):
            inputs = _inputs(connection, set_id, layouts[set_id])
            digest = hashlib.sha256(json.dumps([format_digest, layouts[set_id], inputs]).encode())
            path = root / f"{set_id}.{layouts[set_id]}-{digest.hexdigest()[:16]}.hexpyramid"
            if not path.is_file():
                build_hex_pyramid(connection, set_id, layouts[set_id]).save(path)
            paths[set_id] = path
    finally:
        connection.close()
    for stale in root.glob("*.hexpyramid"):
        if stale not in paths.values() and stale.name.split(".", 1)[0] in paths:
            stale.unlink()
    return paths

"""The context tiles under and over the data: land (country outlines) and place names.

Cut from the shipped boundaries, like the data tiles: countries from GISCO NUTS 2021 level 0
(Europe: the EU, EFTA and candidate countries) and the ONS outline of the United Kingdom;
names at a point inside each country, each UK region and nation and NUTS 1 region, and each
UK district and NUTS 3 region, each with the zoom from which it is shown. One MBTiles file
with layers `land` (polygons: code, name) and `places` (points: name, kind, minzoom, rank),
under DATA_DIR/context/, described by context.json.
"""

from __future__ import annotations

import gzip
import hashlib
import json
from dataclasses import dataclass
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from boundaries.areas import Areas
from boundaries.load import load_boundaries
from boundaries.registry import default_registry
from levelup.atomic import write_text_atomic
from levelup.locking import build_lock
from levelup.provenance import merge_attributions
from tiles.context_file import CONTEXT_DIR, DESCRIPTION
from tiles.cutter import build_pyramid
from tiles.format import format_digest
from tiles.mvt import (
    EXTENT,
    EncodedProperties,
    encode_layer,
    encode_point_feature,
    encode_properties,
    encode_tile,
)
from tiles.store.mbtiles import MBTilesWriter
from tiles.tilemath import Tile, mercator_bounds, tile_size_m

MAXZOOM = 8  # clients overzoom beyond: outlines and points need no more detail
LAND = ("nuts0-2021", "uk")
# (boundary set, kind, zoom the names appear from, keep only codes matching)
PLACES = (
    ("nuts0-2021", "country", 3.0, None),
    ("uk", "country", 3.0, None),
    ("rgn-uk", "region", 5.0, None),
    ("nuts1-2021", "region", 5.5, None),
    ("ltla-2023", "place", 7.0, None),
    ("nuts3-2021", "place", 7.5, None),
)
PLACE_KEYS = ("name", "kind", "minzoom", "rank")


@dataclass(frozen=True, slots=True)
class Context:
    """What a context build wrote."""

    path: Path
    tiles: int
    places: int
    skipped: bool


def _digest(code: str) -> str:
    registry = default_registry()
    digest = hashlib.sha256(code.encode())
    digest.update(repr((MAXZOOM, LAND, PLACES, PLACE_KEYS)).encode())  # this build's parameters
    for set_id in sorted(set(LAND) | {p[0] for p in PLACES}):
        spec = registry.get(set_id)
        digest.update(repr(spec).encode())
        for file in [spec.file] + ([spec.detail.file] if spec.detail else []):
            digest.update(registry.sources.get(file).sha256.encode())
    return digest.hexdigest()[:12]


def _land() -> gpd.GeoDataFrame:
    frames = []
    for set_id in LAND:
        spec = default_registry().get(set_id)
        frame = load_boundaries(spec, detail=bool(spec.detail))
        if set_id == "nuts0-2021":
            frame = frame[frame["code"] != "UK"]
        frames.append(frame[["code", "name", "geometry"]])
    land = gpd.GeoDataFrame(pd.concat(frames, ignore_index=True), crs="EPSG:4326")
    land = land.sort_values("code", ignore_index=True)
    return land.assign(set_id="context")


def _places() -> pd.DataFrame:
    rows = []
    for set_id, kind, minzoom, _ in PLACES:
        frame = load_boundaries(set_id)
        if set_id == "nuts1-2021":
            frame = frame[~frame["code"].str.startswith("UK")]
        points = shapely.point_on_surface(frame.geometry.to_numpy())
        area = frame.to_crs("EPSG:3035").area.to_numpy()
        for name, point, size in zip(frame["name"], points, area, strict=True):
            rows.append((name, kind, minzoom, float(size), point.x, point.y))
    places = pd.DataFrame(rows, columns=["name", "kind", "minzoom", "area", "lon", "lat"])
    places = places.drop_duplicates(["name", "kind"])
    places = places.sort_values(["minzoom", "area"], ascending=[True, False], ignore_index=True)
    places["rank"] = np.arange(len(places))  # placed first: countries, then bigger areas
    return places


def _mercator(lon: np.ndarray, lat: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    x = np.radians(lon) * 6378137.0
    y = np.log(np.tan(np.pi / 4 + np.radians(lat) / 2)) * 6378137.0
    return x, y


def _point_tiles(places: pd.DataFrame) -> dict[Tile, list[tuple[bytes, EncodedProperties]]]:
    """Encoded place features per tile, each from one zoom before its minzoom."""
    x, y = _mercator(places["lon"].to_numpy(), places["lat"].to_numpy())
    keys = {k: i for i, k in enumerate(PLACE_KEYS)}
    out: dict[Tile, list[tuple[bytes, EncodedProperties]]] = {}
    half = 20037508.342789244
    rows = [
        encode_properties(
            {"name": str(n), "kind": str(k), "minzoom": float(m), "rank": int(r)}, keys
        )
        for n, k, m, r in zip(
            places["name"], places["kind"], places["minzoom"], places["rank"], strict=True
        )
    ]
    for z in range(MAXZOOM + 1):
        size = tile_size_m(z)
        shown = places["minzoom"].to_numpy() <= z + 1
        for i in np.flatnonzero(shown):
            column, row = int((x[i] + half) // size), int((half - y[i]) // size)
            tile = Tile(z, column, row)
            west, _, _, north = mercator_bounds(tile)
            local_x = round((x[i] - west) / size * EXTENT)
            local_y = round((north - y[i]) / size * EXTENT)
            static = encode_point_feature(int(i), local_x, local_y)
            out.setdefault(tile, []).append((static, rows[i]))
    return out


def build_context(data_dir: Path, *, force: bool = False) -> Context:
    """Write DATA_DIR/context/context.<digest>.mbtiles and context.json (skipped when current)."""
    with build_lock(data_dir):
        return _build_context(data_dir, force)


def _build_context(data_dir: Path, force: bool) -> Context:
    folder = data_dir / CONTEXT_DIR
    digest = _digest(format_digest())
    target = folder / f"context.{digest}.mbtiles"
    if target.is_file() and (folder / DESCRIPTION).is_file() and not force:
        return Context(target, 0, 0, True)
    land = _land()
    pyramid = build_pyramid(Areas.of(land), maxzoom=MAXZOOM)
    places = _places()
    points = _point_tiles(places)
    writer = MBTilesWriter(target)
    land_keys = ("code", "name")
    key_index = {k: i for i, k in enumerate(land_keys)}
    properties = [
        encode_properties({"code": c, "name": n}, key_index)
        for c, n in zip(land["code"], land["name"], strict=True)
    ]
    tiles = dict(pyramid)
    count = 0
    for tile in sorted(set(tiles) | set(points)):
        layers = []
        if tile in tiles:
            pairs = [(f.static, properties[f.fid]) for f in tiles[tile]]
            layers.append(encode_layer("land", pairs, land_keys))
        if tile in points:
            layers.append(encode_layer("places", points[tile], PLACE_KEYS))
        writer.put(tile, gzip.compress(encode_tile(layers), compresslevel=6, mtime=0))
        count += 1
    registry = default_registry()
    attribution = merge_attributions([registry.get(s).attribution for s in LAND])
    writer.finalize(
        {
            "name": "levelup context",
            "format": "pbf",
            "minzoom": "0",
            "maxzoom": str(MAXZOOM),
            "attribution": attribution,
            "json": json.dumps({"vector_layers": [{"id": "land"}, {"id": "places"}]}),
        }
    )
    description = {
        "file": target.name,
        "minzoom": 0,
        "maxzoom": MAXZOOM,
        "attribution": attribution,
        "places": len(places),
    }
    write_text_atomic(folder / DESCRIPTION, json.dumps(description, indent=1))
    for stale in folder.glob("context.*.mbtiles"):
        if stale != target:
            stale.unlink()
    return Context(target, count, len(places), False)

"""Read a plain boundary set straight from its GeoJSON file with json, shapely and pyproj.

A plain set is one GeoJSON file holding the set's areas one feature each, with string codes
and names, perhaps filtered on properties (`where`): no layer, validity dates, recodes or
dissolve. Anything else returns None
and the caller uses boundaries.load (GDAL), which also words the errors of a broken file.
The output equals load_boundaries' (tested on every plain set in the registry).
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import numpy as np
import shapely

from boundaries.areas import Areas
from boundaries.geometry import clean_coverage, repair
from boundaries.registry import DATA_DIR, BoundarySet

WGS84 = "EPSG:4326"
_CRS_NAME = re.compile(r"^(?:EPSG:|urn:ogc:def:crs:EPSG:[^:]*:)(\d+)$")
_CRS84 = {"urn:ogc:def:crs:OGC:1.3:CRS84", "urn:ogc:def:crs:OGC::CRS84", "OGC:CRS84"}


def is_plain(spec: BoundarySet, *, detail: bool = False) -> bool:
    """True when the set can be read by read_plain."""
    file = spec.detail.file if detail and spec.detail else spec.file
    return (
        file.endswith(".geojson")
        and spec.layer is None
        and spec.valid_in is None
        and spec.dissolve is None
        and spec.start_field is None
        and spec.end_field is None
    )


def _crs(document: dict[str, Any]) -> str | None:
    """The file's CRS as "EPSG:n" (WGS84 when it names none, as in RFC 7946), None if odd."""
    member = document.get("crs")
    if member is None:
        return WGS84
    name = str((member.get("properties") or {}).get("name", ""))
    if name in _CRS84:
        return WGS84
    match = _CRS_NAME.match(name)
    return f"EPSG:{match.group(1)}" if match else None


def _to_wgs84(geometries: np.ndarray, crs: str) -> np.ndarray:
    if crs == WGS84:
        return geometries
    from pyproj import Transformer

    transformer = Transformer.from_crs(crs, WGS84, always_xy=True)

    def project(coords: np.ndarray) -> np.ndarray:
        x, y = transformer.transform(coords[:, 0], coords[:, 1])
        return np.column_stack([x, y])

    projected: np.ndarray = shapely.transform(geometries, project)
    return projected


def read_plain(
    spec: BoundarySet, *, detail: bool = False, data_dir: Path = DATA_DIR
) -> Areas | None:
    """The set's areas read from its GeoJSON, or None when it is not a plain set."""
    if not is_plain(spec, detail=detail):
        return None
    path = data_dir / (spec.detail.file if detail and spec.detail else spec.file)
    try:
        with open(path, encoding="utf-8") as handle:
            document = json.load(handle)
    except (OSError, ValueError):
        return None  # load_boundaries reports the file's problem
    crs = _crs(document)
    features = document.get("features")
    if crs is None or not isinstance(features, list):
        return None
    rows = []
    pattern = re.compile(spec.code_pattern) if spec.code_pattern else None
    for feature in features:
        properties = feature.get("properties") or {}
        code, name = properties.get(spec.code_field), properties.get(spec.name_field)
        geometry = feature.get("geometry")
        if any(key not in properties for key, _ in spec.where):
            return None
        if any(properties[key] != value for key, value in spec.where):
            continue
        if not isinstance(code, str) or not isinstance(name, str) or geometry is None:
            return None
        code = code.strip()
        if pattern is None or pattern.match(code):
            rows.append((code, name.strip(), json.dumps(geometry)))
    codes = [r[0] for r in rows]
    if len(set(codes)) != len(codes):
        return None  # shared codes are dissolved by load_boundaries
    geometry = _to_wgs84(shapely.from_geojson([r[2] for r in rows]), crs)
    geometry = clean_coverage(repair(geometry))
    order = sorted(range(len(rows)), key=codes.__getitem__)
    return Areas(
        spec.id,
        tuple(codes[i] for i in order),
        tuple(rows[i][1] for i in order),
        np.asarray(geometry, dtype=object)[order],
    )

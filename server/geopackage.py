"""A GeoPackage (OGC 12-128r18, version 1.3) of one polygon layer, written with sqlite3 alone.

A GeoPackage is an SQLite database with a few registry tables and geometries stored as
"GeoPackage binary": a small header (magic, flags, SRS id, envelope) followed by standard
WKB. The file is built in memory and serialised, so the server never writes files and never
needs a geometry library. A `layer_styles` table (the layout QGIS and GDAL use) can carry a
QGIS style as the layer's default, so QGIS draws the layer styled as soon as it is added.
"""

from __future__ import annotations

import sqlite3
import struct
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

APPLICATION_ID = 0x47504B47  # "GPKG"
USER_VERSION = 10300  # 1.3.0
WGS84 = (
    'GEOGCS["WGS 84",DATUM["WGS_1984",SPHEROID["WGS 84",6378137,298.257223563,'
    'AUTHORITY["EPSG","7030"]],AUTHORITY["EPSG","6326"]],PRIMEM["Greenwich",0,'
    'AUTHORITY["EPSG","8901"]],UNIT["degree",0.0174532925199433,AUTHORITY["EPSG","9122"]],'
    'AXIS["Latitude",NORTH],AXIS["Longitude",EAST],AUTHORITY["EPSG","4326"]]'
)
REGISTRY = """
CREATE TABLE gpkg_spatial_ref_sys (
    srs_name TEXT NOT NULL, srs_id INTEGER PRIMARY KEY, organization TEXT NOT NULL,
    organization_coordsys_id INTEGER NOT NULL, definition TEXT NOT NULL, description TEXT);
CREATE TABLE gpkg_contents (
    table_name TEXT NOT NULL PRIMARY KEY, data_type TEXT NOT NULL, identifier TEXT UNIQUE,
    description TEXT DEFAULT '',
    last_change DATETIME NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now')),
    min_x DOUBLE, min_y DOUBLE,
    max_x DOUBLE, max_y DOUBLE, srs_id INTEGER,
    CONSTRAINT fk_gc_r_srs_id FOREIGN KEY (srs_id) REFERENCES gpkg_spatial_ref_sys(srs_id));
CREATE TABLE gpkg_geometry_columns (
    table_name TEXT NOT NULL, column_name TEXT NOT NULL, geometry_type_name TEXT NOT NULL,
    srs_id INTEGER NOT NULL, z TINYINT NOT NULL, m TINYINT NOT NULL,
    CONSTRAINT pk_geom_cols PRIMARY KEY (table_name, column_name),
    CONSTRAINT uk_gc_table_name UNIQUE (table_name),
    CONSTRAINT fk_gc_tn FOREIGN KEY (table_name) REFERENCES gpkg_contents(table_name),
    CONSTRAINT fk_gc_srs FOREIGN KEY (srs_id) REFERENCES gpkg_spatial_ref_sys(srs_id));
CREATE TABLE layer_styles (
    id INTEGER PRIMARY KEY AUTOINCREMENT, f_table_catalog TEXT(256), f_table_schema TEXT(256),
    f_table_name TEXT(256), f_geometry_column TEXT(256), styleName TEXT(30), styleQML TEXT,
    styleSLD TEXT, useAsDefault BOOLEAN, description TEXT, owner TEXT(30), ui TEXT(30),
    update_time DATETIME);
"""
SYSTEMS = [
    ("Undefined cartesian SRS", -1, "NONE", -1, "undefined", "undefined cartesian system"),
    ("Undefined geographic SRS", 0, "NONE", 0, "undefined", "undefined geographic system"),
    ("WGS 84 geodetic", 4326, "EPSG", 4326, WGS84, "longitude/latitude on WGS 84"),
]
SQL_TYPES = {"text": "TEXT", "real": "REAL", "integer": "INTEGER"}


@dataclass(frozen=True, slots=True)
class Layer:
    """One feature table: its name, title, description, fields (name, text/real/integer)."""

    name: str
    title: str
    description: str
    fields: tuple[tuple[str, str], ...]


def _ring(points: Sequence[Sequence[float]]) -> bytes:
    coordinates = [c for point in points for c in point[:2]]
    return struct.pack(f"<I{len(coordinates)}d", len(points), *coordinates)


def _polygon(rings: Sequence[Sequence[Sequence[float]]]) -> bytes:
    return struct.pack("<BII", 1, 3, len(rings)) + b"".join(_ring(r) for r in rings)


def multipolygon_wkb(geometry: dict[str, Any]) -> bytes:
    """Little-endian WKB MultiPolygon of a GeoJSON Polygon or MultiPolygon."""
    kind = geometry["type"]
    if kind == "Polygon":
        polygons = [geometry["coordinates"]]
    elif kind == "MultiPolygon":
        polygons = geometry["coordinates"]
    else:
        raise ValueError(f"not a polygon: {kind}")
    return struct.pack("<BII", 1, 6, len(polygons)) + b"".join(_polygon(p) for p in polygons)


def envelope(geometry: dict[str, Any]) -> tuple[float, float, float, float]:
    """(min x, max x, min y, max y) of a GeoJSON Polygon or MultiPolygon."""
    polygons = (
        [geometry["coordinates"]] if geometry["type"] == "Polygon" else geometry["coordinates"]
    )
    xs = [p[0] for polygon in polygons for ring in polygon for p in ring]
    ys = [p[1] for polygon in polygons for ring in polygon for p in ring]
    return min(xs), max(xs), min(ys), max(ys)


def gpkg_geometry(geometry: dict[str, Any], srs_id: int = 4326) -> bytes:
    """GeoPackage binary: 'GP', version 0, flags (little endian, xy envelope), SRS id,
    envelope, then the WKB."""
    header = struct.pack("<2sBBi4d", b"GP", 0, 0b0000_0011, srs_id, *envelope(geometry))
    return header + multipolygon_wkb(geometry)


def write(
    layer: Layer,
    features: Iterable[tuple[dict[str, Any], Sequence[Any]]],
    *,
    changed: str,
    style_qml: str | None = None,
    style_name: str = "",
) -> bytes:
    """The GeoPackage bytes of one layer of (GeoJSON geometry, field values) features.

    `changed` is the ISO time stamped on the layer and style (the same input gives the same
    bytes). With `style_qml`, that QGIS style is the layer's default.
    """
    db = sqlite3.connect(":memory:")
    try:
        db.execute(f"PRAGMA application_id = {APPLICATION_ID}")
        db.execute(f"PRAGMA user_version = {USER_VERSION}")
        db.executescript(REGISTRY)
        db.executemany("INSERT INTO gpkg_spatial_ref_sys VALUES (?, ?, ?, ?, ?, ?)", SYSTEMS)
        columns = ", ".join(f'"{name}" {SQL_TYPES[kind]}' for name, kind in layer.fields)
        db.execute(
            f'CREATE TABLE "{layer.name}" (fid INTEGER PRIMARY KEY AUTOINCREMENT, '
            f"geom MULTIPOLYGON, {columns})"
        )
        marks = ", ".join("?" * (len(layer.fields) + 1))
        box = [float("inf"), float("-inf"), float("inf"), float("-inf")]
        rows = []
        for geometry, values in features:
            west, east, south, north = envelope(geometry)
            box = [min(box[0], west), max(box[1], east), min(box[2], south), max(box[3], north)]
            rows.append((gpkg_geometry(geometry), *values))
        names = ", ".join(f'"{name}"' for name, _ in layer.fields)
        db.executemany(f'INSERT INTO "{layer.name}" (geom, {names}) VALUES ({marks})', rows)
        db.execute(
            "INSERT INTO gpkg_contents VALUES (?, 'features', ?, ?, ?, ?, ?, ?, ?, 4326)",
            (layer.name, layer.title, layer.description, changed, box[0], box[2], box[1], box[3]),
        )
        db.execute(
            "INSERT INTO gpkg_geometry_columns VALUES (?, 'geom', 'MULTIPOLYGON', 4326, 0, 0)",
            (layer.name,),
        )
        db.execute(
            "INSERT INTO gpkg_contents (table_name, data_type, identifier, description, "
            "last_change) VALUES ('layer_styles', 'attributes', 'layer_styles', "
            "'QGIS styles', ?)",
            (changed,),
        )
        if style_qml is not None:
            db.execute(
                "INSERT INTO layer_styles (f_table_catalog, f_table_schema, f_table_name, "
                "f_geometry_column, styleName, styleQML, styleSLD, useAsDefault, description, "
                "owner, ui, update_time) VALUES ('', '', ?, 'geom', ?, ?, '', 1, ?, '', '', ?)",
                (layer.name, style_name or layer.name, style_qml, layer.title, changed),
            )
        db.commit()
        return bytes(db.serialize())
    finally:
        db.close()

"""Write the joined data, coverage and catalogue into the SQLite database (levelup/db.py)."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from boundaries.changes import CodeChanges
from boundaries.registry import Registry
from levelup import db
from levelup.atomic import atomic_path
from pipeline.catalogue import Catalogue, Indicator
from pipeline.catalogue_store import (
    insert_rows,
    write_els_datasets,
    write_indicators,
    write_sources,
    write_themes,
)
from pipeline.geography import write_hex_areas, write_hex_layouts, write_parents
from pipeline.groups import Group
from pipeline.join import JoinResult
from pipeline.standing import peer_stats

GEOJSON_PRECISION = 1e-5  # degrees, about 1 m


def geojson_geometry(geometry: shapely.Geometry, decimals: int = 5) -> str:
    """Compact GeoJSON for a (multi)polygon with coordinates rounded to `decimals` places."""

    def ring(r: shapely.LinearRing) -> list[list[float]]:
        return [[round(x, decimals), round(y, decimals)] for x, y in r.coords]

    def polygon(p: shapely.Polygon) -> list[list[list[float]]]:
        return [ring(p.exterior), *(ring(i) for i in p.interiors)]

    if geometry.geom_type == "Polygon":
        body: dict[str, object] = {"type": "Polygon", "coordinates": polygon(geometry)}
    else:
        body = {
            "type": "MultiPolygon",
            "coordinates": [polygon(p) for p in shapely.get_parts(geometry)],
        }
    return json.dumps(body, separators=(",", ":"))


def _areas(frame: gpd.GeoDataFrame) -> pd.DataFrame:
    geometry = shapely.set_precision(
        frame.geometry.to_numpy(), GEOJSON_PRECISION, mode="valid_output"
    )
    geometry = shapely.orient_polygons(geometry, exterior_cw=False)  # RFC 7946 right-hand rule
    bounds = shapely.bounds(geometry)
    points = shapely.point_on_surface(frame.geometry.to_numpy())
    return pd.DataFrame(
        {
            "set_id": frame["set_id"],
            "code": frame["code"],
            "name": frame["name"],
            "fid": np.arange(len(frame)),
            "west": bounds[:, 0],
            "south": bounds[:, 1],
            "east": bounds[:, 2],
            "north": bounds[:, 3],
            "lon": np.round(shapely.get_x(points), 5),
            "lat": np.round(shapely.get_y(points), 5),
            "geometry": [geojson_geometry(g) for g in geometry],
        }
    )


def _write_levels(connection: sqlite3.Connection, registry: Registry) -> None:
    insert_rows(
        connection,
        "levels",
        (
            {
                "id": lv.id,
                "label": lv.label,
                "system": lv.system,
                "map": int(lv.map),
                "ord": lv.order,
                "note": lv.note,
            }
            for lv in registry.levels.values()
        ),
        ["id", "label", "system", "map", "ord", "note"],
    )


def write_sets(
    connection: sqlite3.Connection, registry: Registry, boundaries: Mapping[str, gpd.GeoDataFrame]
) -> None:
    """Insert boundary set rows and their areas (GeoJSON geometry, bounds, label points)."""
    rows = []
    for set_id, frame in boundaries.items():
        spec = registry.get(set_id)
        west, south, east, north = (float(v) for v in frame.total_bounds)
        source = spec.source
        rows.append(
            {
                "id": spec.id,
                "level": spec.level,
                "vintage": spec.vintage,
                "title": spec.title,
                "file": spec.file,
                "detail_file": spec.detail.file if spec.detail else None,
                "detail_from_zoom": spec.detail.from_zoom if spec.detail else None,
                "year_from": spec.years[0],
                "year_to": spec.years[1],
                "attribution": spec.attribution,
                "licence": spec.licence,
                "licence_url": source.licence.url if source else "",
                "source_title": source.title if source else "",
                "origin": source.origin if source else "",
                "features": len(frame),
                "west": west,
                "south": south,
                "east": east,
                "north": north,
            }
        )
        insert_rows(
            connection,
            "areas",
            _areas(frame),
            [
                "set_id",
                "code",
                "name",
                "fid",
                "west",
                "south",
                "east",
                "north",
                "lon",
                "lat",
                "geometry",
            ],
        )
    insert_rows(connection, "boundary_sets", rows, list(rows[0]) if rows else [])


def _write_changes(connection: sqlite3.Connection, changes: CodeChanges) -> None:
    rows: list[dict[str, object]] = [
        {"old": r.old, "new": r.new, "kind": "recode", "year": r.year, "source": r.source}
        for r in changes.recodes
    ]
    for succession in changes.successions.values():
        for new in succession.new or ("",):
            rows.append(
                {
                    "old": succession.old,
                    "new": new,
                    "kind": succession.kind,
                    "year": succession.year,
                    "source": succession.source,
                }
            )
    insert_rows(connection, "code_changes", rows, ["old", "new", "kind", "year", "source"])


def write_results(connection: sqlite3.Connection, results: Iterable[JoinResult]) -> None:
    """Insert observations, peer stats, series spans, coverage, unmatched codes and choices."""
    for result in results:
        joined = result.joined
        if not joined.empty:
            insert_rows(
                connection,
                "observations",
                joined,
                [
                    "indicator",
                    "variant",
                    "level",
                    "code",
                    "year",
                    "period",
                    "value",
                    "lower",
                    "upper",
                    "status",
                    "source_code",
                    "match",
                    *db.STANDING_COLUMNS,
                ],
            )
            stats = peer_stats(joined)
            insert_rows(
                connection,
                "stats",
                stats,
                [
                    "indicator",
                    "variant",
                    "level",
                    "year",
                    "n",
                    "median",
                    "mad",
                    "p25",
                    "p75",
                    "min",
                    "max",
                    "mean",
                ],
            )
            series = joined.groupby(["indicator", "variant", "level", "set_id"], as_index=False)
            spans = series["year"].agg(year_from="min", year_to="max")
            insert_rows(
                connection,
                "series",
                spans,
                ["indicator", "variant", "level", "set_id", "year_from", "year_to"],
            )
        if not result.coverage.empty:
            coverage = result.coverage.assign(mapped=result.coverage["mapped"].astype(int))
            insert_rows(connection, "coverage", coverage, list(coverage.columns))
        if not result.unmatched.empty:
            insert_rows(connection, "unmatched", result.unmatched, list(result.unmatched.columns))
        insert_rows(
            connection,
            "set_choices",
            (
                {
                    "indicator": c.indicator,
                    "level": c.level,
                    "set_id": c.set_id,
                    "scores": json.dumps([list(s) for s in c.scores]),
                }
                for c in result.choices
            ),
            ["indicator", "level", "set_id", "scores"],
        )


def write_inequality(
    connection: sqlite3.Connection, populations: pd.DataFrame, inequality: pd.DataFrame
) -> None:
    """Insert derived populations and inequality measures."""
    insert_rows(
        connection, "populations", populations, ["indicator", "level", "code", "year", "population"]
    )
    insert_rows(
        connection,
        "inequality",
        inequality,
        [
            "indicator",
            "variant",
            "level",
            "country",
            "year",
            "regions",
            "weighted",
            "national",
            "national_source",
            "dispersion",
            "cv",
            "gini",
            "theil",
            "top_bottom",
        ],
    )


def _write_groups(connection: sqlite3.Connection, groups: Iterable[Group]) -> None:
    insert_rows(
        connection,
        "groups",
        (
            {
                "id": g.id,
                "title": g.title,
                "description": g.description,
                "source": g.source,
                "members": g.to_json(),
            }
            for g in groups
        ),
        ["id", "title", "description", "source", "members"],
    )


@dataclass
class JoinedData:
    """Everything the join step produced, ready to be written."""

    indicators: list[Indicator]
    results: list[JoinResult]
    unclassified: pd.DataFrame
    populations: pd.DataFrame
    inequality: pd.DataFrame
    area_populations: pd.DataFrame = field(default_factory=pd.DataFrame)  # ONS weights
    tables: dict[str, pd.DataFrame] = field(default_factory=dict)  # db.INDEX_TABLES rows


def write_tables(connection: sqlite3.Connection, tables: Mapping[str, pd.DataFrame]) -> None:
    """Insert rows of the index, similar-area and area-type tables (db.INDEX_TABLES)."""
    for name, rows in tables.items():
        insert_rows(connection, name, rows, list(db.INDEX_TABLES[name]))


def write_database(
    target: Path,
    *,
    catalogue: Catalogue,
    registry: Registry,
    changes: CodeChanges,
    data: JoinedData,
    groups: Iterable[Group],
    boundaries: Mapping[str, gpd.GeoDataFrame],
    meta: Mapping[str, str],
) -> None:
    """Write a complete database to a temporary file, then rename it over `target`."""
    with atomic_path(target) as tmp:
        tmp.unlink()
        connection = db.create(tmp)
        try:
            with connection:
                write_themes(connection, catalogue.themes)
                write_indicators(connection, data.indicators)
                _write_levels(connection, registry)
                write_sets(connection, registry, boundaries)
                _write_changes(connection, changes)
                write_sources(connection, [registry.sources, catalogue.sources])
                write_results(connection, data.results)
                write_inequality(connection, data.populations, data.inequality)
                if not data.area_populations.empty:
                    insert_rows(
                        connection,
                        "area_populations",
                        data.area_populations,
                        ["code", "year", "population"],
                    )
                _write_groups(connection, groups)
                write_els_datasets(connection, catalogue)
                write_tables(connection, data.tables)
                write_hex_layouts(connection, registry)
                write_hex_areas(connection)
                write_parents(connection)
                if not data.unclassified.empty:
                    insert_rows(
                        connection, "unclassified", data.unclassified, ["indicator", "code", "name"]
                    )
                insert_rows(
                    connection,
                    "meta",
                    ({"key": k, "value": v} for k, v in meta.items()),
                    ["key", "value"],
                )
            connection.execute("VACUUM")
        finally:
            connection.close()

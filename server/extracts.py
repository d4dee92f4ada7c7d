"""Streamed extracts: GeoJSON (RFC 7946) of one year, CSV of every year, for one indicator."""

from __future__ import annotations

import asyncio
import csv
import io
import json
import math
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

import numpy as np
from starlette.requests import Request
from starlette.responses import Response

from levelup import db
from levelup.errors import BadRequestError, TooLargeError
from levelup.settings import Settings
from server import params
from server.api import find_indicator
from server.catalog import Catalog, DataStore
from tiles.classes import classify

CHUNK = 200
CSV_SLICE = 500  # rows of CSV made between turns of the event loop: a few milliseconds


@dataclass(frozen=True, slots=True)
class Selection:
    """Which series an extract reads."""

    indicator: dict[str, Any]
    variant: str
    level: str
    set_id: str
    years: list[int]


def select(catalog: Catalog, request: Request) -> Selection:
    """Resolve indicator, variant and level from the request (defaults: first of each)."""
    indicator = find_indicator(catalog, request.path_params["indicator"])
    variant = params.choice(
        request, "variant", [v["id"] for v in indicator["variants"]], indicator["variants"][0]["id"]
    )
    levels = {lv["id"]: lv for lv in indicator["levels"]}
    if not levels:
        raise BadRequestError(f"indicator {indicator['id']!r} has no joined data")
    level = params.choice(request, "level", list(levels), next(iter(levels)))
    return Selection(indicator, variant, level, levels[level]["set_id"], levels[level]["years"])


def _number(value: Any) -> float | None:
    return value if isinstance(value, float) and math.isfinite(value) else None


class Extracts:
    """The extract endpoints, bound to a data store and the settings."""

    def __init__(self, store: DataStore, settings: Settings) -> None:
        self.store = store
        self.settings = settings

    async def geojson(self, request: Request) -> Response:
        """A FeatureCollection of every area of one level and year, with its value.

        Made in slices on the event loop (other requests are served in between); the route
        keeps it per build (server.cached), so HEAD and Range requests (GDAL's /vsicurl/,
        which QGIS uses for HTTP sources) and repeats cost nothing more.
        """
        catalog = self.store.current()
        params.allowed(request, "variant", "level", "year", "bbox", "codes")
        chosen = select(catalog, request)
        year = params.year(
            request, "year", chosen.years, chosen.years[-1] if chosen.years else None
        )
        box = params.bbox(request)
        codes = params.codes(request)
        where: list[str] = ["a.set_id = ?"]
        args: list[object] = [chosen.set_id]
        if box:
            where.append("a.east >= ? AND a.west <= ? AND a.north >= ? AND a.south <= ?")
            args += [box[0], box[2], box[1], box[3]]
        if codes:
            where.append(f"a.code IN ({','.join('?' * len(codes))})")
            args += codes
        clause = " AND ".join(where)
        count = catalog.db.execute(f"SELECT count(*) FROM areas a WHERE {clause}", args).fetchone()[
            0
        ]
        limit = self.settings.extract_feature_limit
        if count > limit:
            raise TooLargeError(
                f"{count} features match; the limit is {limit}. Narrow the bbox "
                "or list codes (limit: LEVELUP_EXTRACT_FEATURE_LIMIT)"
            )
        tileset_id = f"{chosen.indicator['id']}.{chosen.variant}.{chosen.level}.{year}"
        breaks = catalog.tilesets[tileset_id].breaks if tileset_id in catalog.tilesets else ()
        sql = (
            "SELECT a.code, a.name, a.fid, a.geometry, o.value, o.lower, o.upper, o.status, "
            f"o.period, {STANDING_SQL} FROM areas a LEFT JOIN observations o ON o.code = a.code "
            "AND o.indicator = ? AND o.variant = ? AND o.level = ? AND o.year = ? "
            f"WHERE {clause} ORDER BY a.fid"
        )
        bound = [chosen.indicator["id"], chosen.variant, chosen.level, year, *args]
        unit = next(v["unit"] for v in chosen.indicator["variants"] if v["id"] == chosen.variant)
        common = {
            "indicator": chosen.indicator["id"],
            "variant": chosen.variant,
            "level": chosen.level,
            "year": year,
            "unit": unit,
        }
        name = f"{tileset_id}.geojson"
        body = b"".join(
            [chunk async for chunk in _features(catalog.db.execute(sql, bound), common, breaks)]
        )
        return Response(
            body,
            media_type="application/geo+json",
            headers={"Content-Disposition": f'inline; filename="{name}"'},
        )

    async def csv(self, request: Request) -> Response:
        """Every year (or a range) of one indicator, variant and level, one row per area-year."""
        catalog = self.store.current()
        params.allowed(request, "variant", "level", "years", "codes", "base")
        chosen = select(catalog, request)
        span = params.year_range(request, "years")
        if span and not any(span[0] <= y <= span[1] for y in chosen.years):
            raise BadRequestError(
                f"parameter 'years': no data in {span[0]}-{span[1]} (this "
                f"series covers {chosen.years[0]}-{chosen.years[-1]})"
            )
        codes = params.codes(request)
        base = (
            params.year(request, "base", chosen.years, None)
            if params.query(request, "base")
            else None
        )
        where = ["o.indicator = ?", "o.variant = ?", "o.level = ?"]
        args: list[object] = [chosen.indicator["id"], chosen.variant, chosen.level]
        if span:
            where.append("o.year BETWEEN ? AND ?")
            args += list(span)
        if codes:
            where.append(f"o.code IN ({','.join('?' * len(codes))})")
            args += codes
        unit = next(v["unit"] for v in chosen.indicator["variants"] if v["id"] == chosen.variant)
        # SQLite gives every column as it will appear, so the Python work per row is the CSV
        # quoting alone; the body is made in slices on the event loop, which serves other
        # requests in between (a worker thread would be starved of the GIL under load)
        sql = (
            "SELECT o.indicator, o.variant, o.level, o.code, a.name, o.year, o.period, o.value, "
            f"? AS unit, o.lower, o.upper, o.status, o.source_code, {STANDING_SQL}"
            + (f", ? AS base_year, {CHANGE_BASE_SQL}" if base else "")
            + " FROM observations o LEFT JOIN areas a ON a.code = o.code AND a.set_id = ? "
            + (
                "LEFT JOIN observations b ON b.indicator = o.indicator AND b.variant = o.variant "
                "AND b.level = o.level AND b.code = o.code AND b.year = ? "
                if base
                else ""
            )
            + f"WHERE {' AND '.join(where)} ORDER BY o.code, o.year"
        )
        bound = [unit, *([base] if base else []), chosen.set_id, *([base] if base else []), *args]
        columns = COLUMNS + (BASE_COLUMNS if base else [])

        async def make() -> bytes:  # one series of one level: a few MB at most
            cursor = catalog.db.cursor()
            cursor.row_factory = None  # plain tuples, written as they come
            cursor.execute(sql, bound)
            buffer = io.StringIO()
            writer = csv.writer(buffer, lineterminator="\n")
            writer.writerow(columns)
            while rows := cursor.fetchmany(CSV_SLICE):
                writer.writerows(rows)
                await asyncio.sleep(0)
            return buffer.getvalue().encode()

        name = f"{chosen.indicator['id']}.{chosen.variant}.{chosen.level}.csv"
        return Response(
            await make(),
            media_type="text/csv; charset=utf-8",
            headers={"Content-Disposition": f'attachment; filename="{name}"'},
        )


async def _features(
    cursor: Any, common: dict[str, Any], breaks: tuple[float, ...]
) -> AsyncIterator[bytes]:
    yield b'{"type":"FeatureCollection","features":['
    first = True
    while rows := cursor.fetchmany(CHUNK):
        parts = []
        for row in rows:
            value = _number(row["value"])
            klass = (
                int(classify(np.array([value]), breaks)[0])
                if value is not None and breaks
                else None
            )
            props = {
                "code": row["code"],
                "name": row["name"],
                **common,
                "period": row["period"],
                "value": value,
                "class": klass,
                "lower": _number(row["lower"]),
                "upper": _number(row["upper"]),
                "status": row["status"] or None,
                **{k: _number(row[k]) if k in FLOATS else row[k] for k in STANDING},
            }
            parts.append(
                f'{"" if first else ","}{{"type":"Feature","id":{row["fid"]},'
                f'"properties":{json.dumps(props, separators=(",", ":"))},'
                f'"geometry":{row["geometry"]}}}'
            )
            first = False
        yield "".join(parts).encode()
        await asyncio.sleep(0)  # let other requests in meanwhile
    yield b"]}"


STANDING = list(db.STANDING_COLUMNS)
FLOATS = {"percentile", "z", "change", "change_pct", "national", "index"}
STANDING_SQL = ", ".join(f'o."{c}"' for c in STANDING)

COLUMNS = [
    "indicator",
    "variant",
    "level",
    "code",
    "name",
    "year",
    "period",
    "value",
    "unit",
    "lower",
    "upper",
    "status",
    "source_code",
    *STANDING,
]
BASE_COLUMNS = ["base_year", "change_base", "change_base_pct"]
CHANGE_BASE_SQL = (  # the same arithmetic, in the same order, as Python's floats would do it
    "o.value - b.value AS change_base, "
    "CASE WHEN b.value != 0 THEN 100.0 * (o.value - b.value) / abs(b.value) END AS change_base_pct"
)

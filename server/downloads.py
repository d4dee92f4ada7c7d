"""Downloads of a tileset: the MBTiles file as built, a PMTiles archive made from it, and two
that open styled in QGIS: a GeoPackage extract with the choropleth as its default style, and
a layer definition (.qlr) of the XYZ source with the same style and its zoom range.

Both answer conditional and range requests the same way (server.conditional): a resumed
download names the copy it has with If-Range and gets the rest of that copy or, if the
tileset was rebuilt meanwhile, the whole new one.
"""

from __future__ import annotations

import io
import json
import math
import os
import re
from datetime import UTC, datetime
from typing import Any

import numpy as np
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response

from levelup.errors import NotFoundError
from levelup.settings import Settings
from server import geopackage, qgis
from server.bodies import BodyCache
from server.cached import cache_control
from server.catalog import DataStore, Tileset
from server.responses import Body, FileAnswer, answer, make_body
from server.styles import legend, public_base
from tiles.classes import classify
from tiles.store.pmtiles import write_pmtiles

FIELDS = (  # the GeoPackage layer's fields after the geometry, from the extract's columns
    ("code", "text"),
    ("name", "text"),
    ("period", "text"),
    ("value", "real"),
    ("class", "integer"),
    ("legend", "text"),
    ("lower", "real"),
    ("upper", "real"),
    ("status", "text"),
    ("rank", "integer"),
    ("of", "integer"),
    ("percentile", "real"),
    ("z", "real"),
    ("band", "text"),
    ("change", "real"),
    ("change_pct", "real"),
    ("index", "real"),
    ("national", "real"),
)
ROWS = (
    "SELECT a.geometry, a.code, a.name, o.period, o.value, o.lower, o.upper, o.status, o.rank, "
    'o."of", o.percentile, o.z, o.band, o.change, o.change_pct, o."index", o.national '
    "FROM areas a LEFT JOIN observations o ON o.code = a.code AND o.indicator = ? "
    "AND o.variant = ? AND o.level = ? AND o.year = ? WHERE a.set_id = ? ORDER BY a.fid"
)


def _number(value: Any) -> float | None:
    return value if isinstance(value, float) and math.isfinite(value) else None


def _indicator_tileset(tileset: Tileset) -> Tileset:
    """The tileset, if it maps an indicator (the context tiles have no GeoPackage or style)."""
    if not tileset.indicator:
        raise NotFoundError(f"no indicator tileset {tileset.id!r}")
    return tileset


def layer_name(tileset: Tileset) -> str:
    """The GeoPackage table of a tileset: its id as a plain identifier."""
    return re.sub(r"[^a-z0-9]+", "_", tileset.id.lower())


def features(tileset: Tileset, rows: list[Any]) -> list[tuple[dict[str, Any], tuple[Any, ...]]]:
    """(geometry, field values) per area, classed as the tiles are."""
    values = np.array([_number(r["value"]) for r in rows], dtype=float)
    classes = classify(values, tileset.breaks) if tileset.breaks else np.full(len(rows), -1)
    labels = {item["class"]: item["label"] for item in legend(tileset)["classes"]}
    out = []
    for row, klass in zip(rows, classes, strict=True):
        valued = _number(row["value"]) is not None
        known = int(klass) if valued and klass >= 0 else None
        out.append(
            (
                json.loads(row["geometry"]),
                (
                    row["code"],
                    row["name"],
                    row["period"],
                    _number(row["value"]),
                    known,
                    labels.get(known) if known is not None else "No data",
                    _number(row["lower"]),
                    _number(row["upper"]),
                    row["status"] or None,
                    row["rank"],
                    row["of"],
                    _number(row["percentile"]),
                    _number(row["z"]),
                    row["band"],
                    _number(row["change"]),
                    _number(row["change_pct"]),
                    _number(row["index"]),
                    _number(row["national"]),
                ),
            )
        )
    return out


class Downloads:
    """Download endpoints. PMTiles are converted in memory (the server never writes files)."""

    def __init__(self, store: DataStore, settings: Settings) -> None:
        self.store = store
        self.settings = settings
        self.control = ("cache-control", cache_control(settings))
        self._archives: BodyCache[Body] = BodyCache(budget=256 << 20, largest=128 << 20)

    async def mbtiles(self, request: Request) -> Response:
        """The standalone MBTiles file of a tileset (QGIS and GDAL open it directly)."""
        tileset = self.store.current().tileset(request.path_params["tileset"])
        disposition = f'attachment; filename="{tileset.id}.mbtiles"'
        return FileAnswer(
            tileset.path,
            "application/vnd.sqlite3",
            f"{tileset.digest[:16]}-mbtiles",
            [self.control, ("content-disposition", disposition)],
        )

    async def pmtiles(self, request: Request) -> Response:
        """The tileset as a PMTiles v3 archive (made once per tileset content)."""
        tileset = self.store.current().tileset(request.path_params["tileset"])

        async def convert() -> Body:
            buffer = io.BytesIO()
            await run_in_threadpool(write_pmtiles, tileset.path, buffer)
            disposition = f'attachment; filename="{tileset.id}.pmtiles"'
            return await make_body(
                buffer.getvalue(),
                "application/vnd.pmtiles",
                last_modified=int(os.stat(tileset.path).st_mtime),
                headers=[self.control, ("content-disposition", disposition)],
                compress=False,  # its tiles are gzip already
            )

        body = await self._archives.get_or_make(f"{tileset.id}:{tileset.digest}", convert)
        return answer(request, body)

    async def gpkg(self, request: Request) -> Response:
        """The tileset's areas and values as a GeoPackage whose default QGIS style is the
        choropleth (QGIS draws it styled as soon as it is added)."""
        catalog = self.store.current()
        tileset = _indicator_tileset(catalog.tileset(request.path_params["tileset"]))
        rows = catalog.db.execute(
            ROWS,
            (tileset.indicator, tileset.variant, tileset.level, tileset.year, tileset.set_id),
        ).fetchall()
        changed = datetime.fromtimestamp(catalog.modified, UTC).strftime("%Y-%m-%dT%H:%M:%S.000Z")
        layer = geopackage.Layer(
            layer_name(tileset),
            tileset.name,
            f"{tileset.description} Unit: {tileset.unit}. {tileset.attribution}",
            FIELDS,
        )

        def write() -> bytes:
            return geopackage.write(
                layer,
                features(tileset, rows),
                changed=changed,
                style_qml=qgis.qml(tileset),
                style_name=f"levelup {tileset.id}",
            )

        return Response(
            await run_in_threadpool(write),
            media_type="application/geopackage+sqlite3",
            headers={"Content-Disposition": f'attachment; filename="{tileset.id}.gpkg"'},
        )

    async def qlr(self, request: Request) -> Response:
        """A QGIS layer definition: the XYZ vector tiles with their zoom range and style."""
        tileset = _indicator_tileset(self.store.current().tileset(request.path_params["tileset"]))
        return Response(
            qgis.qlr(public_base(self.settings, request), tileset),
            media_type="application/xml",
            headers={"Content-Disposition": f'attachment; filename="{tileset.id}.qlr"'},
        )

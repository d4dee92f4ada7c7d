"""The OpenAPI 3.1 document describing every endpoint (served at /openapi.json)."""

from __future__ import annotations

from typing import Any

from levelup import __version__
from levelup.ids import SLUG_SCHEMA
from server.openapi_more import more_paths
from server.uploads import TEXT_FIELDS

ERROR = {"$ref": "#/components/schemas/Error"}
TILESET = "^[a-z0-9]+(-[a-z0-9]+)*\\.[a-z0-9]+(-[a-z0-9]+)*\\.[a-z0-9]+\\.[0-9]{4}(\\.hex)?$"


def _param(
    name: str, where: str, description: str, schema: dict[str, Any], required: bool = False
) -> dict[str, Any]:
    return {
        "name": name,
        "in": where,
        "description": description,
        "schema": schema,
        "required": required or where == "path",
    }


def _json(description: str, schema: dict[str, Any] | None = None) -> dict[str, Any]:
    return {
        "description": description,
        "content": {"application/json": {"schema": schema or {"type": "object"}}},
    }


def _errors(*codes: int) -> dict[str, Any]:
    text = {
        400: "Malformed parameter, or a malformed bytes Range header",
        403: "Uploads switched off, or a cross-site request",
        404: "Not found",
        409: "Clashes with an existing or shipped indicator",
        413: "Too many features, or an upload over the size limit",
        422: "The table cannot be used: the error names the file, line and column",
        503: "No usable build",
    }
    return {str(c): _json(text[c], ERROR) for c in codes}


VALIDATORS = {
    "ETag": {"description": "Strong validator of this copy", "schema": {"type": "string"}},
    "Last-Modified": {"description": "When the build it comes from was made", "schema": {}},
    "Cache-Control": {"description": "How long caches may reuse it", "schema": {}},
}
# tiles: the ETag alone validates them (server.tiles)
UNDATED = {k: v for k, v in VALIDATORS.items() if k != "Last-Modified"}


def _conditional(dated: bool = True) -> dict[str, Any]:
    """Answers every GET may give (RFC 9110 conditional and range requests); `dated=False`
    for answers validated by their ETag alone (tiles), where date conditions do not apply."""
    validators = VALIDATORS if dated else UNDATED
    return {
        "206": {
            "description": "Partial content: the Range asked for (several ranges as "
            "multipart/byteranges); If-Range with an old validator gets the whole body",
            "headers": {**validators, "Content-Range": {"schema": {"type": "string"}}},
        },
        "304": {
            "description": "Not modified (If-None-Match, or If-Modified-Since)"
            if dated
            else "Not modified (If-None-Match)",
            "headers": validators,
        },
        "400": _json("Malformed parameter, or a malformed bytes Range header", ERROR),
        "412": _json(
            "Precondition failed (If-Match, If-Unmodified-Since)"
            if dated
            else "Precondition failed (If-Match)",
            ERROR,
        ),
        "416": _json("Range not satisfiable (Content-Range: bytes */length)", ERROR),
    }


def _get(
    summary: str,
    parameters: list[dict[str, Any]],
    ok: dict[str, Any],
    *errors: int,
    extra: dict[str, Any] | None = None,
    dated: bool = True,
) -> dict[str, Any]:
    responses = {
        "200": {**ok, "headers": VALIDATORS if dated else UNDATED},
        **(extra or {}),
        **_conditional(dated),
        **_errors(*errors),
    }
    return {"get": {"summary": summary, "parameters": parameters, "responses": responses}}


INDICATOR = _param("indicator", "path", "Indicator id", {"type": "string", "pattern": SLUG_SCHEMA})
TILESET_ID = _param(
    "tileset",
    "path",
    "Tileset id: indicator.variant.level.year",
    {"type": "string", "pattern": TILESET},
)
VARIANT = _param("variant", "query", "Variant id (default: the first)", {"type": "string"})
LEVEL = _param(
    "level", "query", "Geography level id (default: the first with data)", {"type": "string"}
)
CODES = _param("codes", "query", "Comma-separated area codes", {"type": "string"})


DOWNLOADS = [
    ("mbtiles", "application/vnd.sqlite3", "The tileset as an MBTiles file"),
    ("pmtiles", "application/vnd.pmtiles", "The tileset as a PMTiles v3 archive"),
    (
        "gpkg",
        "application/geopackage+sqlite3",
        "The tileset's areas and values as a GeoPackage whose default QGIS style is the "
        "choropleth (opens styled in QGIS)",
    ),
    (
        "qlr",
        "application/xml",
        "A QGIS layer definition of the XYZ tiles with their zoom range and the choropleth",
    ),
]
UPLOAD = _param("upload", "path", "Upload id", {"type": "string", "pattern": "^[0-9a-f]{32}$"})
GUARD = _param(
    "X-Requested-With", "header", "Must be 'levelup' (cross-site guard)", {"const": "levelup"}, True
)
FORM = {
    "type": "object",
    "additionalProperties": False,
    "properties": {
        **{k: {"type": "string", "maxLength": n} for k, n in TEXT_FIELDS.items()},
        "polarity": {"enum": ["higher", "lower"]},
        "decimals": {"type": "integer", "minimum": 0, "maximum": 6},
        "value_columns": {"type": "array", "items": {"type": "string"}},
        "replace": {"type": "boolean"},
    },
}


def _call(
    method: str,
    summary: str,
    parameters: list[dict[str, Any]],
    body: dict[str, Any] | None,
    ok: dict[str, Any],
    *errors: int,
) -> dict[str, Any]:
    operation: dict[str, Any] = {
        "summary": summary,
        "parameters": [*parameters, GUARD],
        "responses": {**ok, **_errors(*errors)},
    }
    if body is not None:
        operation["requestBody"] = {"content": body}
    return {method: operation}


def _upload_paths() -> dict[str, Any]:
    """Adding your own table: upload, preview, build, discard."""
    raw = {"application/octet-stream": {"schema": {"type": "string", "format": "binary"}}}
    form = {"application/json": {"schema": FORM}}
    name = _param(
        "name", "query", "The file's name (shown, never used as a path)", {"type": "string"}
    )
    return {
        "/api/uploads": _call(
            "post",
            "Upload a CSV or XLSX table (the raw body) and preview what was detected",
            [name],
            raw,
            {"201": _json("Preview")},
            400,
            403,
            413,
            422,
        ),
        "/api/uploads/{upload}": _call(
            "delete", "Forget an upload", [UPLOAD], None, {"204": {"description": "Gone"}}, 403, 404
        ),
        "/api/uploads/{upload}/preview": _call(
            "post",
            "Preview again with choices (columns, level, title…)",
            [UPLOAD],
            form,
            {"200": _json("Preview")},
            400,
            403,
            404,
            409,
            422,
        ),
        "/api/uploads/{upload}/build": _call(
            "post",
            "Build the upload into an indicator with its tilesets",
            [UPLOAD],
            form,
            {"201": _json("The new indicator")},
            400,
            403,
            404,
            409,
            422,
        ),
    }


def document() -> dict[str, Any]:
    """The whole OpenAPI document."""
    tile_params = [TILESET_ID] + [
        _param(n, "path", f"Tile {n}", {"type": "string", "pattern": "^[0-9]+$"})
        for n in ("z", "x", "y")
    ]
    paths = {
        "/healthz": _get(
            "Liveness, build served and a running tile build's progress", [], _json("OK"), 503
        ),
        "/openapi.json": _get("This document (OpenAPI 3.1)", [], _json("OpenAPI document")),
        "/api/catalogue": _get(
            "Indicators, themes, geographies, sources", [], _json("Catalogue"), 503
        ),
        "/api/indicators": _get("All indicators", [], _json("Indicators"), 503),
        "/api/indicators/{indicator}": _get(
            "One indicator: variants, levels, years", [INDICATOR], _json("Indicator"), 404, 503
        ),
        "/api/indicators/{indicator}/data.geojson": _get(
            "GeoJSON (RFC 7946) of one year, streamed",
            [
                INDICATOR,
                VARIANT,
                LEVEL,
                _param("year", "query", "Year (default: latest)", {"type": "string"}),
                _param("bbox", "query", "west,south,east,north (degrees)", {"type": "string"}),
                CODES,
            ],
            {
                "description": "FeatureCollection",
                "content": {"application/geo+json": {"schema": {"type": "object"}}},
            },
            400,
            404,
            413,
            503,
        ),
        "/api/indicators/{indicator}/data.csv": _get(
            "CSV of every year and area, streamed",
            [
                INDICATOR,
                VARIANT,
                LEVEL,
                _param("years", "query", "Year or range, e.g. 2010-2020", {"type": "string"}),
                CODES,
                _param(
                    "base",
                    "query",
                    "Base year: adds change since then (absolute and %)",
                    {"type": "string"},
                ),
            ],
            {"description": "CSV", "content": {"text/csv": {"schema": {"type": "string"}}}},
            400,
            404,
            503,
        ),
        "/api/indicators/{indicator}/compare": _get(
            "Compare areas, groups and countries on one indicator, year by year",
            [
                INDICATOR,
                VARIANT,
                _param(
                    "items",
                    "query",
                    "Comma-separated: area or country codes, group:ID, or "
                    "codes:A+B+C for your own group",
                    {"type": "string"},
                    required=True,
                ),
                _param("level", "query", "Preferred level for area codes", {"type": "string"}),
            ],
            _json("Series per item, with how groups were aggregated"),
            400,
            404,
            503,
        ),
        "/api/indicators/{indicator}/areas": _get(
            "Areas with values at one level (e.g. the countries of a Eurostat series)",
            [INDICATOR, VARIANT, LEVEL],
            _json("Areas with first and last year"),
            400,
            404,
            503,
        ),
        "/api/inequality": _get(
            "Inequality within countries over time (dispersion, CV, Gini, Theil, top/bottom)",
            [
                _param("indicator", "query", "Indicator id", {"type": "string"}),
                VARIANT,
                _param("level", "query", "Region level (default nuts2)", {"type": "string"}),
                _param("countries", "query", "Comma-separated country codes", {"type": "string"}),
            ],
            _json("Measures per country and year, with a note on comparability"),
            400,
            404,
            503,
        ),
        "/api/inequality.csv": _get(
            "The same as CSV",
            [
                _param("indicator", "query", "Indicator id", {"type": "string"}),
                VARIANT,
                _param("level", "query", "Region level (default nuts2)", {"type": "string"}),
                _param("countries", "query", "Comma-separated country codes", {"type": "string"}),
            ],
            {"description": "CSV", "content": {"text/csv": {"schema": {"type": "string"}}}},
            400,
            404,
            503,
        ),
        "/api/groups": _get("Named groups of areas", [], _json("Groups"), 503),
        "/api/levels": _get("Geography levels and boundary vintages", [], _json("Levels"), 503),
        "/api/tilesets": _get(
            "Tilesets with links",
            [
                _param(n, "query", f"Only this {n}", {"type": "string"})
                for n in ("indicator", "variant", "level", "year")
            ]
            + [_param("geometry", "query", "map or hex (hex cartograms)", {"type": "string"})],
            _json("Tilesets"),
            400,
            503,
        ),
        "/api/tilesets/{tileset}": _get(
            "One tileset with links and legend", [TILESET_ID], _json("Tileset"), 404, 503
        ),
        "/api/areas": _get(
            "Search areas by name",
            [
                _param("q", "query", "Part of a name (2 characters or more)", {"type": "string"}),
                _param("level", "query", "Only this level", {"type": "string"}),
                _param("limit", "query", "At most this many (1-100)", {"type": "string"}),
            ],
            _json("Areas"),
            400,
            503,
        ),
        "/api/areas/{code}": _get(
            "Area detail: levels, vintages, code changes, every indicator over time",
            [
                _param("code", "path", "Area code", {"type": "string"}),
                _param("level", "query", "Only values at this level", {"type": "string"}),
            ],
            _json("Area"),
            400,
            404,
            503,
        ),
        "/tiles/{tileset}.json": _get("TileJSON 3.0.0", [TILESET_ID], _json("TileJSON"), 404, 503),
        "/styles/{tileset}.json": _get(
            "MapLibre style (QGIS reads it too)", [TILESET_ID], _json("Style"), 404, 503
        ),
        "/tiles/{tileset}/{z}/{x}/{y}.pbf": _get(
            "Mapbox Vector Tile (gzip when accepted)",
            tile_params,
            {
                "description": "Tile",
                "content": {
                    "application/vnd.mapbox-vector-tile": {
                        "schema": {"type": "string", "format": "binary"}
                    }
                },
            },
            400,
            404,
            503,
            extra={"204": {"description": "Empty tile inside the zoom range"}},
            dated=False,
        ),
        **{
            f"/downloads/{{tileset}}.{suffix}": _get(
                summary,
                [TILESET_ID],
                {
                    "description": suffix,
                    "content": {media: {"schema": {"type": "string", "format": "binary"}}},
                },
                404,
                503,
            )
            for suffix, media, summary in DOWNLOADS
        },
    }
    paths.update(_upload_paths())
    for path, item in more_paths(INDICATOR).items():  # every GET is answered by the book
        if "get" in item:
            responses = item["get"]["responses"]
            responses["200"] = {**responses["200"], "headers": VALIDATORS}
            for status, answer in _conditional().items():
                responses.setdefault(status, answer)
        paths[path] = item
    paths["/api/indicators/{indicator}"].update(
        _call(
            "delete",
            "Delete one of your indicators (not a shipped one)",
            [INDICATOR],
            None,
            {"204": {"description": "Deleted"}},
            403,
            404,
            409,
        )
    )
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "levelup",
            "version": __version__,
            "description": "Levelling-up statistics on real boundaries: vector tiles, "
            "TileJSON, MapLibre/QGIS styles, GeoJSON and CSV extracts.",
        },
        "paths": paths,
        "components": {
            "schemas": {
                "Error": {
                    "type": "object",
                    "required": ["error"],
                    "properties": {
                        "error": {
                            "type": "object",
                            "required": ["status", "message"],
                            "properties": {
                                "status": {"type": "integer"},
                                "message": {"type": "string"},
                            },
                        }
                    },
                }
            }
        },
    }

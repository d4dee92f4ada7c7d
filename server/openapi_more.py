"""OpenAPI paths of the hex maps, area profiles, composite indexes and similar areas (merged
into the document server/openapi.py serves)."""

from __future__ import annotations

from typing import Any

from levelup.ids import SLUG_SCHEMA

CODE = {"type": "string", "pattern": "^[A-Za-z0-9_]{1,16}$"}
TEXT = {"type": "string"}


def _param(name: str, where: str, description: str, schema: dict[str, Any]) -> dict[str, Any]:
    return {
        "name": name,
        "in": where,
        "description": description,
        "schema": schema,
        "required": where == "path",
    }


def _ok(description: str, media: str = "application/json") -> dict[str, Any]:
    return {"description": description, "content": {media: {"schema": {"type": "object"}}}}


def _error(description: str) -> dict[str, Any]:
    return _ok(description)


def _op(
    summary: str, parameters: list[dict[str, Any]], ok: dict[str, Any], *codes: int
) -> dict[str, Any]:
    texts = {
        400: "Malformed parameter",
        403: "Not allowed here",
        404: "Not found",
        409: "Clashes with an existing index",
        422: "The definition cannot be used",
        503: "No usable build",
    }
    responses = {"200": ok, **{str(c): _error(texts[c]) for c in codes}}
    return {"summary": summary, "parameters": parameters, "responses": responses}


def _created(
    summary: str, parameters: list[dict[str, Any]], ok: dict[str, Any], *codes: int
) -> dict[str, Any]:
    """An operation that answers 201 Created."""
    operation = _op(summary, parameters, ok, *codes)
    operation["responses"]["201"] = operation["responses"].pop("200")
    return operation


def more_paths(
    indicator: dict[str, Any], validators: dict[str, Any], conditional: dict[str, Any]
) -> dict[str, Any]:
    """The paths, given the shared `indicator` path parameter, the validator headers and the
    conditional and range answers every GET may give."""

    def get(
        summary: str, parameters: list[dict[str, Any]], ok: dict[str, Any], *codes: int
    ) -> dict[str, Any]:
        operation = _op(summary, parameters, {**ok, "headers": validators}, *codes)
        answers = operation["responses"]
        operation["responses"] = {"200": answers.pop("200"), **conditional, **answers}
        return operation

    hex_query = [
        _param("variant", "query", "Measure (default: the first)", TEXT),
        _param("level", "query", "Geography level with a hex layout (lad)", TEXT),
        _param("year", "query", "Year (default: the latest)", TEXT),
    ]
    index = _param("index", "path", "Index id", {"type": "string", "pattern": SLUG_SCHEMA})
    code = _param("code", "path", "Area code", CODE)
    year = _param("year", "query", "Year (default: the latest)", TEXT)
    return {
        "/api/hexmaps": {
            "get": get(
                "Hex layouts, the frame they are drawn in, the sets drawn on each",
                [],
                _ok("Layouts"),
                503,
            )
        },
        "/api/indicators/{indicator}/hexes.geojson": {
            "get": get(
                "A hex map as GeoJSON: one feature per hexagon, in the hex frame",
                [indicator, *hex_query],
                _ok("Hexagons", "application/geo+json"),
                400,
                404,
                503,
            )
        },
        "/api/indicators/{indicator}/data.hexjson": {
            "get": get(
                "A hex map as HexJSON with values and colours",
                [indicator, *hex_query],
                _ok("HexJSON"),
                400,
                404,
                503,
            )
        },
        "/api/profiles/{code}": {
            "get": get(
                "An area's profile: every indicator by topic with standing and series, "
                "parents, children, similar areas",
                [code],
                _ok("Profile"),
                400,
                404,
                503,
            )
        },
        "/api/indexes": {
            "get": get("Composite indexes", [], _ok("Indexes"), 503),
            "post": _created(
                "Add your own index (the TOML definition as the body)",
                [_param("replace", "query", "Replace an index of yours", TEXT)],
                _ok("Added"),
                400,
                403,
                409,
                422,
            ),
        },
        "/api/indexes/{index}": {
            "get": get("An index: method, pillars, years", [index], _ok("Index"), 404, 503),
            "delete": _op("Delete your own index", [index], _ok("Deleted"), 400, 403, 404),
        },
        "/api/indexes/{index}/definition.toml": {
            "get": get("An index's definition", [index], _ok("TOML", "application/toml"), 404)
        },
        "/api/indexes/{index}/areas/{code}": {
            "get": get(
                "An area's index, domains and pillars",
                [index, code, year],
                _ok("Scores"),
                400,
                404,
                503,
            )
        },
        "/api/indexes/{index}/compare": {
            "get": get(
                "A group of areas against the rest",
                [
                    index,
                    _param("items", "query", "group:ID, cluster:SET:N or codes:A+B", TEXT),
                    year,
                ],
                _ok("Comparison"),
                400,
                404,
                503,
            )
        },
        "/api/similar": {"get": get("Sets areas are compared on", [], _ok("Sets"), 404, 503)},
        "/api/similar/{code}": {
            "get": get(
                "An area's most similar areas",
                [
                    code,
                    _param("set", "query", "Set of measures", TEXT),
                    year,
                    _param("count", "query", "How many (1-10)", TEXT),
                ],
                _ok("Similar areas"),
                400,
                404,
                503,
            )
        },
        "/api/clusters": {
            "get": get(
                "Area types of one set and year",
                [_param("set", "query", "Set of measures", TEXT), year],
                _ok("Area types"),
                400,
                404,
                503,
            )
        },
    }

"""Bad requests never get a 500 and never break the documented schema.

Schemathesis fuzzes every operation of /openapi.json with valid and invalid data (the valid
data steered towards real ids, so the happy paths are exercised too); hypothesis and
hand-picked cases cover tile coordinates, path traversal, overlong query strings, nasty
parameter values, Range headers and bounding boxes, through the ASGI app and, for what only
a real server sees (raw paths, null bytes, 100 KB request lines), through uvicorn.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import math
import os
import re
import socket
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest
import schemathesis
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st
from schemathesis import BaseSchema, Case, GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)
from starlette.applications import Starlette
from starlette.testclient import TestClient

from levelup.settings import Settings
from server.app import create_app
from server.inprocess import call_get
from server.openapi import document
from server.params import MAX_QUERY
from tests.conftest import levelup_serving, running_server
from tests.server.conftest import LAD
from tiles.tilemath import MAX_ZOOM

DOCUMENT = document()
GEOJSON = "/api/indicators/gdp-per-head/data.geojson"
LIMIT = 5  # extract_feature_limit of the app that must refuse big extracts
TILES = [(6, 31, 20), (5, 15, 10), (5, 0, 0), (0, 0, 0), (12, 2020, 1300)]  # 200, 204, 404
# Modest and machine-independent: no deadline, and no complaint when a busy machine generates
# slowly (the checks are about answers, not speed).
FUZZ = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
# Bytes that must never leave the server: files outside the served folders.
SECRETS = (b"[build-system]", b"root:x:0:0", b"def create_app", b"SQLite format 3")
UVICORN_REJECTION = b"Invalid HTTP request received."  # uvicorn's own 400, before our app
NASTY = [
    "",
    " ",
    "-1",
    "-0",
    "00",
    "+1",
    "0x10",
    "1e3",
    "1.5",
    "²",  # isdigit() but not int()-able
    "١٩٩٩",  # Arabic-Indic digits
    "9" * 5000,  # past Python's int() digit limit
    "99999999999999999999999",
    "nan",
    "inf",
    "-inf",
    "1e309",
    "\x00",
    "%00",
    "\\",
    "../../etc/passwd",
    "..%2F..%2Fetc%2Fpasswd",
    "2019-2010",
    "0000-9999",
    ",,,",
    "a,b,c,d",
    "group:",
    "codes:+++",
    "codes:" + "+".join(["E08000035"] * 50),
    ",".join(["E1"] * 2100),  # more codes than allowed
    "'; DROP TABLE areas; --",
    "%",
    "_",
    "x" * 300,
]


# -- fixtures and helpers --------------------------------------------------------------------


@pytest.fixture(scope="module")
def app(data_dir: Path) -> Starlette:
    return create_app(Settings(data_dir=data_dir, uploads=False))


@pytest.fixture(scope="module")
def api(app: Starlette) -> Iterator[TestClient]:
    """A client that sees 500s as responses (as a browser would), not as exceptions."""
    with TestClient(app, raise_server_exceptions=False) as client:
        yield client


@pytest.fixture(scope="module")
def limited(data_dir: Path) -> Iterator[TestClient]:
    """An app whose GeoJSON extracts may hold at most LIMIT features."""
    app = create_app(Settings(data_dir=data_dir, uploads=False, extract_feature_limit=LIMIT))
    with TestClient(app, raise_server_exceptions=False) as client:
        yield client


@pytest.fixture(scope="module", params=["uvicorn", "granian"])
def live(request: pytest.FixtureRequest, data_dir: Path) -> Iterator[str]:
    """The same app over HTTP, for requests no client library would send: on uvicorn in a
    thread, and as `levelup serve` runs it (granian, the default server) in its own process."""
    if request.param == "uvicorn":
        with running_server(create_app(Settings(data_dir=data_dir, uploads=False))) as url:
            yield url
        return
    with levelup_serving(data_dir, env={**os.environ, "LEVELUP_UPLOADS": "false"}) as (url, _):
        yield url


@pytest.fixture(scope="module")
def real(api: TestClient) -> dict[str, list[str]]:
    """Real values for every parameter name, from the served build."""
    catalogue = api.get("/api/catalogue").json()
    indicators = catalogue["indicators"]
    eu_areas = api.get("/api/indicators/eu-gdp-per-head/areas", params={"level": "nuts2"}).json()
    codes = ["E08000035", "E06000001", "E12000003", *[a["code"] for a in eu_areas["areas"][:3]]]
    groups = [g["id"] for g in api.get("/api/groups").json()["groups"]][:3]
    countries = api.get("/api/inequality").json()["choices"]["countries"][:3]
    years = sorted({y for i in indicators for lv in i["levels"] for y in lv["years"]})
    return {
        "indicator": [i["id"] for i in indicators],
        "tileset": [t["id"] for t in api.get("/api/tilesets").json()["tilesets"]],
        "variant": sorted({v["id"] for i in indicators for v in i["variants"]}),
        "level": [lv["id"] for lv in catalogue["levels"]],
        "year": [str(y) for y in years[:: max(1, len(years) // 6)]] + ["2019"],
        "years": ["2019", "2010-2020", "1990-2030"],
        "base": ["2010", "2019"],
        "code": codes,
        "codes": [",".join(codes[:2]), codes[0], ",".join(codes)],
        "countries": [",".join(countries[:2]), countries[0]],
        "items": [codes[0], ",".join(codes[:3]), f"codes:{codes[0]}+{codes[1]}"]
        + [f"group:{g}" for g in groups],
        "bbox": ["-1.6,53.7,-1.4,53.9", "-2,51,0,52", "4,45,8,48"],
        "q": ["Leeds", "York", "ai"],
        "limit": ["1", "20", "100"],
        "geometry": ["map", "hex"],
        "index": ["prosperity"],
        "set": ["global", "economic"],
        "count": ["1", "5"],
    }


def documented(path: str, method: str = "get") -> set[int]:
    """Statuses the OpenAPI document lists for an operation."""
    return {int(code) for code in DOCUMENT["paths"][path][method]["responses"]}


def assert_error(status: int, content_type: str, body: Any, context: object = "") -> None:
    """Every error is JSON {"error": {"status": <the status>, "message": "..."}}."""
    assert content_type.startswith("application/json"), (status, content_type, context)
    assert isinstance(body, dict) and isinstance(body.get("error"), dict), (body, context)
    assert body["error"]["status"] == status, (body, context)
    message = body["error"]["message"]
    assert isinstance(message, str) and message.strip(), (body, context)


def check_response(response: Any, allowed: set[int], context: object = "") -> None:
    """No 500, a status from `allowed`, and the JSON error body for every error."""
    assert response.status_code < 500, (response.status_code, response.text[:300], context)
    assert response.status_code in allowed, (response.status_code, response.text[:300], context)
    if response.status_code >= 400:
        assert_error(
            response.status_code, response.headers.get("content-type", ""), response.json(), context
        )


def asgi_get(app: Starlette, path: str, query: bytes = b"") -> tuple[int, str, bytes]:
    """Call the app directly with `path` as the server decoded it: no client normalises it
    (httpx drops "." segments) or refuses it (the test client stops at 64 KB URLs)."""
    answer = asyncio.run(call_get(app, path, query, host="testserver"))
    return answer.status, answer.headers.get("content-type", ""), answer.body


def raw_request(base: str, target: bytes, method: bytes = b"GET") -> tuple[int, str, bytes]:
    """Send a request line exactly as given (no client normalising the path) to a server."""
    host, port = base.removeprefix("http://").split(":")
    with socket.create_connection((host, int(port)), timeout=30) as sock:
        # the server may answer before reading all of an overlong request: read that answer
        with contextlib.suppress(BrokenPipeError, ConnectionResetError):
            sock.sendall(
                method + b" " + target + b" HTTP/1.1\r\nHost: " + host.encode() + b"\r\n"
                b"Connection: close\r\n\r\n"
            )
        data = b""
        while chunk := sock.recv(65536):
            data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    headers = {k.strip().lower(): v.strip() for k, _, v in (line.partition(":") for line in lines)}
    return int(lines[0].split()[1]), headers.get("content-type", ""), body


def check_raw(status: int, content_type: str, body: bytes, target: bytes) -> None:
    """A raw response: no 500, no secret bytes, and errors as our JSON (or the server's own
    refusal before our app: uvicorn's plain 400, granian's empty 400 or 414)."""
    assert status < 500, (status, body[:300], target)
    assert not any(secret in body for secret in SECRETS), (status, body[:300], target)
    uvicorn_refused = status == 400 and body == UVICORN_REJECTION
    granian_refused = status in (400, 414) and body == b"" and not content_type
    if status >= 400 and not (uvicorn_refused or granian_refused):
        assert_error(status, content_type, json.loads(body), target)


# -- schemathesis against the OpenAPI document -----------------------------------------------


def _has_parameters(path: str, method: str) -> bool:
    operation = DOCUMENT["paths"][path][method]
    return bool(operation.get("parameters") or operation.get("requestBody"))


OPERATIONS = [
    pytest.param(method.upper(), path, mode, id=f"{method.upper()} {path} {mode.value}")
    for path, item in DOCUMENT["paths"].items()
    for method in item
    for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE)
    # an operation without parameters has no invalid request to generate
    if mode is GenerationMode.POSITIVE or _has_parameters(path, method)
]
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]


@pytest.fixture(scope="module")
def api_schema(app: Starlette) -> BaseSchema:
    return schemathesis.openapi.from_asgi("/openapi.json", app)


def steered(operation: Any, real: dict[str, list[str]]) -> st.SearchStrategy[Case]:
    """Cases made of real values only (ids, levels, years...), some parameters left out: the
    generated ones rarely name anything that exists, so this is where the 200s come from."""
    spec = DOCUMENT["paths"][operation.path]["get"]
    path_names = [p["name"] for p in spec["parameters"] if p["in"] == "path"]
    query = st.fixed_dictionaries(
        {
            p["name"]: st.sampled_from(real[p["name"]])
            for p in spec["parameters"]
            if p["in"] == "query" and p["required"]
        },
        optional={
            p["name"]: st.sampled_from(real[p["name"]])
            for p in spec["parameters"]
            if p["in"] == "query" and not p["required"]
        },
    )
    if {"z", "x", "y"} <= set(path_names):
        path = st.builds(
            lambda tileset, tile: {"tileset": tileset, "z": tile[0], "x": tile[1], "y": tile[2]},
            st.sampled_from(real["tileset"]),
            st.sampled_from([tuple(map(str, tile)) for tile in TILES]),
        )
    else:
        path = st.fixed_dictionaries({n: st.sampled_from(real[n]) for n in path_names})
    return st.builds(lambda p, q: operation.Case(path_parameters=p, query=q), path, query)


@pytest.mark.parametrize(("method", "path", "mode"), OPERATIONS)
@FUZZ
@given(data=st.data())
def test_openapi_operation_never_500_and_keeps_its_schema(
    api_schema: BaseSchema,
    real: dict[str, list[str]],
    method: str,
    path: str,
    mode: GenerationMode,
    data: st.DataObject,
) -> None:
    operation = api_schema[path][method]
    strategy = operation.as_strategy(mode)
    if mode is GenerationMode.POSITIVE and method == "GET" and _has_parameters(path, "get"):
        strategy = st.one_of(steered(operation, real), strategy)
    case = data.draw(strategy, label="case")
    response = case.call()
    event(f"status {response.status_code}")  # --hypothesis-show-statistics: happy paths too
    case.validate_response(response, checks=CHECKS)
    if response.status_code >= 400:
        content_type = response.headers.get("content-type", [""])[0]
        assert_error(response.status_code, content_type, response.json(), case.as_curl_command())


def test_uploads_are_switched_off_with_a_documented_403(api: TestClient) -> None:
    headers = {"X-Requested-With": "levelup"}
    for method, url in [
        ("POST", "/api/uploads?name=a.csv"),
        ("POST", f"/api/uploads/{'0' * 32}/preview"),
        ("POST", f"/api/uploads/{'0' * 32}/build"),
        ("DELETE", f"/api/uploads/{'0' * 32}"),
        ("DELETE", "/api/indicators/gdp-per-head"),
    ]:
        response = api.request(method, url, headers=headers, content=b"code,value\n")
        check_response(response, {403}, url)
        assert "switched off" in response.json()["error"]["message"]


# -- tile coordinates ------------------------------------------------------------------------

COORDINATE = st.one_of(
    st.integers(min_value=0, max_value=13).map(str),
    st.integers(min_value=-(10**30), max_value=10**30).map(str),
    st.sampled_from(["²", "١", "٣", "0x1", "1e3", "+1", " 1", "1.0", "-0", "00", "\x00", "."]),
    st.text(max_size=12),
)


def tile_statuses(z: str, x: str, y: str) -> set[int]:
    """What the tile endpoint must answer for these path segments (as decoded)."""
    if any(t == "" or "/" in t for t in (z, x, y)):
        return {404}  # not the tile route at all
    if not all(re.fullmatch("[0-9]+", t) for t in (z, x, y)):
        return {400}
    zi, xi, yi = int(z), int(x), int(y)
    if zi > MAX_ZOOM or xi >= 2**zi or yi >= 2**zi:
        return {400}
    return {200, 204, 404}  # 404: outside the tileset's zoom range


@FUZZ
@given(z=COORDINATE, x=COORDINATE, y=COORDINATE)
def test_tile_coordinates_are_400_or_404_never_500(app: Starlette, z: str, x: str, y: str) -> None:
    path = f"/tiles/{LAD}/{z}/{x}/{y}.pbf"
    status, content_type, body = asgi_get(app, path)
    assert status in tile_statuses(z, x, y), (status, body[:300], path)
    if status >= 400:
        assert_error(status, content_type, json.loads(body), path)


@FUZZ
@given(z=COORDINATE, x=COORDINATE, y=COORDINATE)
def test_tile_coordinates_through_a_client_never_500(
    api: TestClient, z: str, x: str, y: str
) -> None:
    url = f"/tiles/{LAD}/{quote(z, safe='')}/{quote(x, safe='')}/{quote(y, safe='')}.pbf"
    check_response(api.get(url), {200, 204, 400, 404}, url)


@pytest.mark.parametrize(
    "zxy",
    ["10000000000000000000000000000000/0/0", "0/-1/0", "0/0/-1", "-5/-5/-5", "²/0/0", "١/٠/٠"],
)
def test_huge_negative_and_unicode_tile_coordinates_are_400(api: TestClient, zxy: str) -> None:
    response = api.get(f"/tiles/{LAD}/{zxy}.pbf")
    check_response(response, {400}, zxy)


# -- path traversal --------------------------------------------------------------------------

TRAVERSALS = [
    b"/tiles/..%2F..%2Fetc%2Fpasswd/0/0/0.pbf",
    b"/tiles/../../../../etc/passwd",
    b"/tiles/..%2F..%2Flevelup.db/0/0/0.pbf",
    b"/tiles/..%2Fmanifest.json",
    b"/web/../../pyproject.toml",
    b"/app/../../pyproject.toml",
    b"/app/../../../../../../etc/passwd",
    b"/app/..%2F..%2Fpyproject.toml",
    b"/app/%2e%2e/%2e%2e/pyproject.toml",
    b"/app/%2e%2e%2f%2e%2e%2fserver%2fapp.py",
    b"/app/%252e%252e/%252e%252e/pyproject.toml",
    b"/app/..\\..\\pyproject.toml",
    b"/app/..%5c..%5cpyproject.toml",
    b"/app/%2fetc%2fpasswd",
    b"/app//etc/passwd",
    b"/app/main.js%00.txt",
    b"/app/../../pyproject.toml%00.js",
    b"/app/%00",
    b"/app/a\x00b.js",
    b"/app/%ff%fe",
    b"/app/" + b"a" * 5000,
    b"/app/" + b"a/" * 3000 + b"x",
    b"/vendor/maplibre-gl/../../../../pyproject.toml",
    b"/vendor/maplibre-gl/..%2f..%2f..%2f..%2f..%2fpyproject.toml",
    b"/favicon.svg/../../pyproject.toml",
    b"/downloads/..%2F..%2Flevelup.db.mbtiles",
    b"/downloads/..%2Flevelup.pmtiles",
    b"/styles/..%2F..%2F..%2Fpyproject.json",
    b"/api/areas/..%2F..%2Fetc%2Fpasswd",
    b"/api/indicators/..%2F..%2Fetc%2Fpasswd/data.csv",
    b"//etc/passwd",
    b"/%2e%2e/%2e%2e/etc/passwd",
    b"/../../pyproject.toml",
    b"/C:%5cWindows%5cwin.ini",
]


@pytest.mark.parametrize("target", TRAVERSALS, ids=lambda t: repr(t[:60])[2:-1])
def test_path_traversal_through_the_server_never_escapes(live: str, target: bytes) -> None:
    status, content_type, body = raw_request(live, target)
    check_raw(status, content_type, body, target)
    assert status in (400, 404), (status, body[:200])


SEGMENT = st.sampled_from(
    [
        "..",
        "%2e%2e",
        "%2E%2E",
        ".%2e",
        "..%2f",
        "..%2F",
        "..%5c",
        "..\\",
        "%252e%252e",
        "...",
        ".",
        "",
        "%00",
        "%c0%ae%c0%ae",
        "etc",
        "passwd",
        "pyproject.toml",
        "levelup.db",
        "server",
        "app.py",
        "tiles",
        "manifest.json",
    ]
)
PREFIX = st.sampled_from(
    ["/", "/app/", "/vendor/maplibre-gl/", "/tiles/", "/downloads/", "/styles/", "/api/areas/"]
)


@FUZZ
@given(prefix=PREFIX, segments=st.lists(SEGMENT, min_size=1, max_size=8), suffix=SEGMENT)
def test_generated_traversals_never_escape(
    live: str, prefix: str, segments: list[str], suffix: str
) -> None:
    target = (prefix + "/".join(segments) + suffix).encode()
    status, content_type, body = raw_request(live, target)
    check_raw(status, content_type, body, target)


# -- overlong query strings and nasty parameter values ---------------------------------------

LONG = "a" * 100_000
QUERY_ENDPOINTS = [
    (GEOJSON, "level"),
    ("/api/indicators/gdp-per-head/data.csv", "years"),
    ("/api/indicators/gdp-per-head/compare", "items"),
    ("/api/indicators/gdp-per-head/areas", "level"),
    ("/api/inequality", "countries"),
    ("/api/inequality.csv", "countries"),
    ("/api/tilesets", "indicator"),
    ("/api/areas", "q"),
    ("/api/areas/E08000035", "level"),
]


@pytest.mark.parametrize(("url", "name"), QUERY_ENDPOINTS)
def test_overlong_query_string_is_a_clear_400(app: Starlette, url: str, name: str) -> None:
    status, content_type, body = asgi_get(app, url, f"{name}={LONG}".encode())
    assert status == 400, (status, body[:300])
    assert_error(status, content_type, json.loads(body), url)
    assert f"longer than {MAX_QUERY}" in json.loads(body)["error"]["message"]


def _concrete(path: str) -> str:
    return (
        path.replace("{indicator}", "gdp-per-head")
        .replace("{tileset}", LAD)
        .replace("{code}", "E08000035")
        .replace("{z}/{x}/{y}", "5/15/10")
    )


GET_PATHS = [p for p, item in DOCUMENT["paths"].items() if "get" in item]


@pytest.mark.parametrize("path", GET_PATHS)
def test_overlong_request_line_is_4xx_through_the_server(live: str, path: str) -> None:
    """The server refuses request lines over 64 KB itself: uvicorn (httptools) with a plain
    400, granian with an empty 414."""
    target = f"{_concrete(path)}?_={LONG}".encode()
    status, content_type, body = raw_request(live, target)
    check_raw(status, content_type, body, target[:80])
    assert 400 <= status < 500


@pytest.mark.parametrize("path", GET_PATHS)
def test_overlong_query_string_never_500_in_the_app(app: Starlette, path: str) -> None:
    """Behind a proxy that passes long URLs: endpoints that read parameters say 400; those
    that take none (tiles, TileJSON, downloads...) ignore the query as a cache-buster."""
    status, content_type, body = asgi_get(app, _concrete(path), f"_={LONG}".encode())
    assert status < 500 and status in documented(path), (status, body[:300])
    if status >= 400:
        assert_error(status, content_type, json.loads(body), path)


QUERY_PARAMETERS = {
    path: [p["name"] for p in item["get"]["parameters"] if p["in"] == "query"]
    for path, item in DOCUMENT["paths"].items()
    if "get" in item
}
VALUE = st.one_of(st.sampled_from(NASTY), st.text(max_size=20))


@pytest.mark.parametrize("path", [p for p, names in QUERY_PARAMETERS.items() if names])
@FUZZ
@given(data=st.data())
def test_nasty_query_values_never_500(
    api: TestClient, real: dict[str, list[str]], path: str, data: st.DataObject
) -> None:
    names = QUERY_PARAMETERS[path]
    good = st.fixed_dictionaries({}, optional={n: st.sampled_from(real[n]) for n in names})
    bad = st.dictionaries(
        st.sampled_from([*names, "_", "x"]) | st.text(max_size=8), VALUE, max_size=4
    )
    query = {**data.draw(good, label="good"), **data.draw(bad, label="bad")}
    response = api.get(_concrete(path), params=query)
    check_response(response, documented(path), query)


@pytest.mark.parametrize(
    ("url", "params"),
    [
        (GEOJSON, {"year": "²"}),
        (GEOJSON, {"year": "9" * 5000}),
        ("/api/indicators/gdp-per-head/data.csv", {"base": "²"}),
        ("/api/indicators/gdp-per-head/data.csv", {"base": "9" * 5000}),
        ("/api/areas", {"q": "Leeds", "limit": "-1"}),
        ("/api/areas", {"q": "Leeds", "limit": "9" * 5000}),
        ("/api/indicators/gdp-per-head/data.csv", {"years": "2020-2010"}),
    ],
)
def test_malformed_numbers_are_400(api: TestClient, url: str, params: dict[str, str]) -> None:
    check_response(api.get(url, params=params), {400}, params)


RANGES = {  # Range header -> RFC 9110's answer (400: the server's choice for invalid syntax)
    "bytes=" + "9" * 5000 + "-": 416,  # valid syntax, starts past the end
    "bytes=0-" + "9" * 5000: 206,  # the last position is clamped to the end
    "bytes=-" + "9" * 5000: 206,  # a suffix longer than the body is the whole body
    "bytes=99999999999999999999-": 416,
    "bytes=5-1": 400,  # ends before it starts: invalid
    "bytes=-0": 416,  # an empty suffix is unsatisfiable
    "bytes=0-0": 206,
    "bytes=-10": 206,
    "bytes=0-1,5-9": 206,  # as multipart/byteranges
    "bytes=a-b": 400,
    "items=0-1": 200,  # a unit we do not know is ignored
    "bytes=\xb2-": 400,  # '²' in latin-1
}


@pytest.mark.parametrize("range_header", RANGES, ids=lambda r: r[:24])
@pytest.mark.parametrize(
    ("url", "path"),
    [
        (f"/downloads/{LAD}.pmtiles", "/downloads/{tileset}.pmtiles"),
        (f"/downloads/{LAD}.mbtiles", "/downloads/{tileset}.mbtiles"),
        (f"{GEOJSON}?codes=E08000035", "/api/indicators/{indicator}/data.geojson"),
        ("/api/catalogue", "/api/catalogue"),
    ],
)
def test_range_headers_get_the_rfcs_answer(
    api: TestClient, url: str, path: str, range_header: str
) -> None:
    response = api.get(url, headers={b"Range": range_header.encode("latin-1")})
    check_response(response, {RANGES[range_header]}, range_header)
    assert RANGES[range_header] in documented(path)


# -- bounding boxes and the feature limit ----------------------------------------------------


def test_huge_bbox_is_413_naming_the_limit(limited: TestClient) -> None:
    for method in ("GET", "HEAD"):
        response = limited.request(
            method, GEOJSON, params={"level": "lad", "bbox": "-180,-90,180,90"}
        )
        assert response.status_code == 413, response.text[:300]
    response = limited.get(GEOJSON, params={"level": "lad", "bbox": "-180,-90,180,90"})
    check_response(response, {413})
    message = response.json()["error"]["message"]
    assert f"the limit is {LIMIT}" in message and "LEVELUP_EXTRACT_FEATURE_LIMIT" in message
    assert re.match(r"\d+ features match", message) and "bbox" in message
    assert 413 in documented("/api/indicators/{indicator}/data.geojson")


def test_too_many_codes_is_413_too(limited: TestClient) -> None:
    codes = limited.get("/api/indicators/gdp-per-head/areas", params={"level": "lad"}).json()
    listed = ",".join(a["code"] for a in codes["areas"][: LIMIT + 1])
    response = limited.get(GEOJSON, params={"level": "lad", "codes": listed})
    check_response(response, {413})
    assert f"{LIMIT + 1} features match" in response.json()["error"]["message"]
    few = ",".join(a["code"] for a in codes["areas"][:LIMIT])
    response = limited.get(GEOJSON, params={"level": "lad", "codes": few})
    assert response.status_code == 200 and len(response.json()["features"]) == LIMIT


def _valid_bbox(values: tuple[float, float, float, float]) -> bool:
    west, south, east, north = values
    return all(math.isfinite(v) for v in values) and (
        -180 <= west < east <= 180 and -90 <= south < north <= 90
    )


LONGITUDE = st.floats(min_value=-200, max_value=200) | st.floats()
LATITUDE = st.floats(min_value=-100, max_value=100) | st.floats()


@FUZZ
@given(box=st.tuples(LONGITUDE, LATITUDE, LONGITUDE, LATITUDE))
def test_bbox_is_200_under_the_limit_413_over_it_or_400(
    limited: TestClient, box: tuple[float, float, float, float]
) -> None:
    text = ",".join(repr(v) for v in box)
    response = limited.get(GEOJSON, params={"level": "rgn", "bbox": text})
    if not _valid_bbox(box):
        check_response(response, {400}, text)
        assert "bbox" in response.json()["error"]["message"]
    elif response.status_code == 413:
        check_response(response, {413}, text)
        count = int(response.json()["error"]["message"].split()[0])
        assert count > LIMIT
    else:
        assert response.status_code == 200, (response.status_code, response.text[:300], text)
        assert len(response.json()["features"]) <= LIMIT


@pytest.mark.parametrize(
    "bbox",
    [
        "181,0,182,1",
        "-181,0,0,1",
        "0,0,1,91",
        "0,-91,1,0",
        "1,0,0,1",  # west after east
        "0,1,1,0",  # south above north
        "0,0,0,1",  # empty
        "nan,0,1,1",
        "NaN,NaN,NaN,NaN",
        "inf,0,1,1",
        "0,0,inf,1",
        "-inf,-90,180,90",
        "Infinity,0,1,1",
        "1e400,0,1,1",
        "0,0,1",
        "0,0,1,1,1",
        "a,b,c,d",
        "0x1,0,1,1",
        "0;0;1;1",
        ",,,",
        ",".join(["1"] * 1000),
        "\x00,0,1,1",
    ],
)
def test_invalid_bbox_is_400(api: TestClient, bbox: str) -> None:
    response = api.get(GEOJSON, params={"level": "lad", "bbox": bbox})
    check_response(response, {400}, bbox)
    assert "'bbox'" in response.json()["error"]["message"]


# -- methods ---------------------------------------------------------------------------------


@pytest.mark.parametrize("method", ["POST", "PUT", "PATCH", "DELETE"])
@pytest.mark.parametrize("url", ["/api/catalogue", f"/tiles/{LAD}/5/15/10.pbf", GEOJSON])
def test_unsupported_methods_are_json_405(api: TestClient, method: str, url: str) -> None:
    response = api.request(method, url)
    check_response(response, {405}, (method, url))

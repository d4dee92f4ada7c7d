"""Every GET route × If-None-Match / If-Modified-Since / If-Match / If-Unmodified-Since /
If-Range / Range variants, each checked against the status RFC 9110 prescribes and against the
bytes of the whole body (fetched plainly first), and every status against the OpenAPI document.
"""

from __future__ import annotations

import gzip
import re
import sqlite3
import time
from collections.abc import Callable, Iterator
from email.utils import formatdate, parsedate_to_datetime
from pathlib import Path
from typing import Any

import pytest
from starlette.routing import Route
from starlette.testclient import TestClient

from levelup.settings import Settings
from server.app import create_app
from server.openapi import document
from tests.server.conftest import LAD

PLAIN = {"Accept-Encoding": "identity"}
ROUTES = {  # route path -> a URL of it that answers 200
    "/tiles/{tileset}/{z}/{x}/{y}.pbf": f"/tiles/{LAD}/5/15/10.pbf",
    "/tiles/{tileset}.json": f"/tiles/{LAD}.json",
    "/styles/{tileset}.json": f"/styles/{LAD}.json",
    "/downloads/{tileset}.mbtiles": f"/downloads/{LAD}.mbtiles",
    "/downloads/{tileset}.pmtiles": f"/downloads/{LAD}.pmtiles",
    "/downloads/{tileset}.gpkg": f"/downloads/{LAD}.gpkg",
    "/downloads/{tileset}.qlr": f"/downloads/{LAD}.qlr",
    "/api/catalogue": "/api/catalogue",
    "/api/indicators": "/api/indicators",
    "/api/indicators/{indicator}": "/api/indicators/gdp-per-head",
    "/api/indicators/{indicator}/data.geojson": (
        "/api/indicators/gdp-per-head/data.geojson?level=lad&year=2019"
    ),
    "/api/indicators/{indicator}/data.csv": "/api/indicators/gdp-per-head/data.csv?level=lad",
    "/api/indicators/{indicator}/compare": "/api/indicators/gdp-per-head/compare?items=E08000035",
    "/api/indicators/{indicator}/areas": "/api/indicators/gdp-per-head/areas?level=lad",
    "/api/levels": "/api/levels",
    "/api/tilesets": "/api/tilesets",
    "/api/tilesets/{tileset}": f"/api/tilesets/{LAD}",
    "/api/inequality": "/api/inequality",
    "/api/inequality.csv": "/api/inequality.csv",
    "/api/groups": "/api/groups",
    "/api/indicators/{indicator}/hexes.geojson": (
        "/api/indicators/gdp-per-head/hexes.geojson?level=lad&year=2019"
    ),
    "/api/indicators/{indicator}/data.hexjson": (
        "/api/indicators/gdp-per-head/data.hexjson?level=lad&year=2019"
    ),
    "/api/hexmaps": "/api/hexmaps",
    "/api/profiles/{code}": "/api/profiles/E08000035",
    "/api/areas": "/api/areas?q=leeds",
    "/api/areas/{code}": "/api/areas/E08000035",
    "/healthz": "/healthz",
    "/openapi.json": "/openapi.json",
}
ON_THE_WHOLE_CATALOGUE = {  # the index and similar areas need every indicator's data
    "/api/indexes": "/api/indexes",
    "/api/indexes/{index}": "/api/indexes/prosperity",
    "/api/indexes/{index}/definition.toml": "/api/indexes/prosperity/definition.toml",
    "/api/indexes/{index}/areas/{code}": "/api/indexes/prosperity/areas/E08000035",
    "/api/indexes/{index}/compare": (
        "/api/indexes/prosperity/compare?items=codes:E08000035+E06000009"
    ),
    "/api/similar": "/api/similar",
    "/api/similar/{code}": "/api/similar/E06000009?set=economic&count=5",
    "/api/clusters": "/api/clusters?set=economic",
}
WEB = ["/", "/app/main.js", "/vendor/maplibre-gl/maplibre-gl-csp.js", "/favicon.svg"]
DAY = 86400


def _date(seconds: float) -> str:
    return formatdate(seconds, usegmt=True)


def _parts(response: Any) -> list[tuple[str, bytes]]:
    """(Content-Range, bytes) of each part of a multipart/byteranges body."""
    boundary = response.headers["content-type"].split("boundary=")[1]
    chunks = response.content.split(f"--{boundary}".encode())
    assert chunks[-1] == b"--\r\n", chunks[-1]
    parts = []
    for chunk in chunks[1:-1]:
        head, _, data = chunk.partition(b"\r\n\r\n")
        match = re.search(rb"content-range: (bytes \S+)", head, re.IGNORECASE)
        assert match, head
        parts.append((match[1].decode(), data.removesuffix(b"\r\n")))
    return parts


Check = Callable[[Any, bytes, int], None]


def _whole(response: Any, body: bytes, size: int) -> None:
    assert response.content == body


def _empty(response: Any, body: bytes, size: int) -> None:
    assert response.content == b"" and "content-length" not in response.headers


def _slice(first: int, last: int | None) -> Check:
    def check(response: Any, body: bytes, size: int) -> None:
        end = size - 1 if last is None else last
        start = size + first if first < 0 else first
        assert response.headers["content-range"] == f"bytes {start}-{end}/{size}"
        assert response.content == body[start : end + 1]

    return check


def _first_and_last(response: Any, body: bytes, size: int) -> None:
    assert response.headers["content-type"].startswith("multipart/byteranges; boundary=")
    assert _parts(response) == [
        (f"bytes 0-0/{size}", body[:1]),
        (f"bytes {size - 1}-{size - 1}/{size}", body[-1:]),
    ]


def _unsatisfiable(response: Any, body: bytes, size: int) -> None:
    assert response.headers["content-range"] == f"bytes */{size}"
    assert response.json()["error"]["status"] == 416


def _json_error(response: Any, body: bytes, size: int) -> None:
    assert response.json()["error"]["status"] == response.status_code


def _variants(
    etag: str, gz_etag: str, modified: int, size: int, dated: bool = True
) -> list[tuple[str, dict, int, Check]]:
    """(name, request headers, RFC 9110 status, check of the answer) for one representation
    (`dated`: one with a Last-Modified; without one, every date condition is ignored and a
    date in If-Range never matches, RFC 9110 13.1.3-5)."""
    date, before, after = _date(modified), _date(modified - DAY), _date(modified + DAY)
    cases = [
        ("INM same", {"If-None-Match": etag}, 304, _empty),
        ("INM weak form", {"If-None-Match": f"W/{etag}"}, 304, _empty),
        ("INM in a list", {"If-None-Match": f'"nope", {etag}'}, 304, _empty),
        ("INM *", {"If-None-Match": "*"}, 304, _empty),
        ("INM other", {"If-None-Match": '"nope"'}, 200, _whole),
        (
            "INM the gzip copy's",
            {"If-None-Match": gz_etag},
            304 if gz_etag == etag else 200,
            _whole if gz_etag != etag else _empty,
        ),
        ("IMS = Last-Modified", {"If-Modified-Since": date}, 304, _empty),
        ("IMS later", {"If-Modified-Since": after}, 304, _empty),
        ("IMS earlier", {"If-Modified-Since": before}, 200, _whole),
        ("IMS not a date", {"If-Modified-Since": "soon"}, 200, _whole),
        ("INM other + IMS", {"If-None-Match": '"nope"', "If-Modified-Since": date}, 200, _whole),
        ("IM other", {"If-Match": '"nope"'}, 412, _json_error),
        ("IM same", {"If-Match": etag}, 200, _whole),
        ("IM *", {"If-Match": "*"}, 200, _whole),
        ("IUS earlier", {"If-Unmodified-Since": before}, 412, _json_error),
        ("IUS same", {"If-Unmodified-Since": date}, 200, _whole),
        ("Range first 10", {"Range": "bytes=0-9"}, 206, _slice(0, 9)),
        ("Range last 5", {"Range": "bytes=-5"}, 206, _slice(-5, None)),
        ("Range from 3", {"Range": "bytes=3-"}, 206, _slice(3, None)),
        ("Range past the end", {"Range": f"bytes=5-{size + 1000}"}, 206, _slice(5, None)),
        ("Range two", {"Range": "bytes=0-0,-1"}, 206, _first_and_last),
        ("Range overlapping", {"Range": "bytes=0-5,3-9"}, 206, _slice(0, 9)),
        ("Range beyond", {"Range": f"bytes={size}-"}, 416, _unsatisfiable),
        ("Range malformed", {"Range": "bytes=abc"}, 400, _json_error),
        ("Range reversed", {"Range": "bytes=9-3"}, 400, _json_error),
        ("Range other unit", {"Range": "items=0-9"}, 200, _whole),
        ("If-Range same", {"Range": "bytes=0-9", "If-Range": etag}, 206, _slice(0, 9)),
        ("If-Range stale", {"Range": "bytes=0-9", "If-Range": '"stale"'}, 200, _whole),
        ("If-Range weak", {"Range": "bytes=0-9", "If-Range": f"W/{etag}"}, 200, _whole),
        ("If-Range date", {"Range": "bytes=0-9", "If-Range": date}, 206, _slice(0, 9)),
        ("If-Range old date", {"Range": "bytes=0-9", "If-Range": before}, 200, _whole),
        ("INM same + Range", {"Range": "bytes=0-9", "If-None-Match": etag}, 304, _empty),
        ("IM other + Range", {"Range": "bytes=0-9", "If-Match": '"nope"'}, 412, _json_error),
    ]
    if dated:
        return cases
    ignored = {"IMS = Last-Modified", "IMS later", "IUS earlier", "If-Range date"}
    return [
        (name, headers, 200, _whole) if name in ignored else (name, headers, status, check)
        for name, headers, status, check in cases
    ]


def _documented(path: str) -> set[int]:
    return {int(code) for code in document()["paths"][path]["get"]["responses"]}


def test_the_matrix_covers_every_get_route(client: TestClient) -> None:
    served = {
        r.path
        for r in client.app.routes
        if isinstance(r, Route)
        and r.methods
        and "GET" in r.methods
        and r.path.startswith(
            ("/api/", "/tiles/", "/styles/", "/downloads/", "/healthz", "/openapi")
        )
    }
    assert served == set(ROUTES) | set(ON_THE_WHOLE_CATALOGUE)


# routes whose answers carry only the ETag as validator, advertise no ranges (served all the
# same) and expose only the ETag to scripts: the tiles, fetched thousands at a time
UNDATED = {"/tiles/{tileset}/{z}/{x}/{y}.pbf"}


@pytest.mark.parametrize("path", sorted(ROUTES))
def test_conditional_and_range_requests_by_the_book(client: TestClient, path: str) -> None:
    _matrix(client, ROUTES[path], _documented(path), shared=True, dated=path not in UNDATED)


@pytest.fixture(scope="module")
def whole_client(full_data_dir: Path) -> Iterator[TestClient]:
    """A client of the whole catalogue's build (with the index and similar areas)."""
    with TestClient(create_app(Settings(data_dir=full_data_dir))) as test_client:
        yield test_client


@pytest.mark.parametrize("path", sorted(ON_THE_WHOLE_CATALOGUE))
def test_index_and_similar_area_routes_by_the_book(whole_client: TestClient, path: str) -> None:
    _matrix(whole_client, ON_THE_WHOLE_CATALOGUE[path], _documented(path), shared=True)


@pytest.mark.parametrize("url", WEB)
def test_the_web_pages_own_files_answer_the_same_way(client: TestClient, url: str) -> None:
    _matrix(client, url, None, shared=False)


def _matrix(
    client: TestClient, url: str, documented: set[int] | None, shared: bool, dated: bool = True
) -> None:
    plain = client.get(url, headers=PLAIN)
    assert plain.status_code == 200 and "content-encoding" not in plain.headers, plain.text[:200]
    body, etag = plain.content, plain.headers["etag"]
    assert re.fullmatch(r'"[^"]+"', etag), etag  # strong
    assert plain.headers["cache-control"]
    assert plain.headers["content-length"] == str(len(body))
    if dated:
        modified = int(parsedate_to_datetime(plain.headers["last-modified"]).timestamp())
        assert modified <= time.time()
        # a Last-Modified under a second old is a weak validator (RFC 9110 8.8.2.2), which
        # If-Range may not use: let the build age so that the date variants have one answer
        time.sleep(max(0.0, modified + 1.5 - time.time()))
        assert plain.headers["accept-ranges"] == "bytes"
    else:  # the dates asked about below are any dates: none can validate this answer
        modified = int(time.time()) - 3 * DAY
        assert "last-modified" not in plain.headers and "accept-ranges" not in plain.headers
    if shared and dated:
        exposed = plain.headers["access-control-expose-headers"]
        assert "ETag" in exposed and "Content-Range" in exposed
    elif shared:  # MapLibre reads a tile's ETag to skip re-parsing an unchanged tile
        assert plain.headers["access-control-allow-origin"]
        assert plain.headers["access-control-expose-headers"] == "ETag"
    packed = client.get(url, headers={"Accept-Encoding": "gzip"})
    gz_etag = packed.headers["etag"]
    if "gzip" in packed.headers.get("content-encoding", ""):
        assert gz_etag != etag and packed.content == body  # httpx undid the gzip
        assert "accept-encoding" in packed.headers["vary"].lower()
        assert int(packed.headers["content-length"]) < len(body)
        raw = client.get(url, headers={"Accept-Encoding": "gzip", "If-None-Match": gz_etag})
        assert raw.status_code == 304 and raw.headers["etag"] == gz_etag
    else:
        assert gz_etag == etag
    for name, headers, status, check in _variants(etag, gz_etag, modified, len(body), dated):
        answer = client.get(url, headers={**PLAIN, **headers})
        context = (url, name, answer.status_code, answer.text[:200])
        assert answer.status_code == status, context
        check(answer, body, len(body))
        assert documented is None or status in documented, context
        if status in (200, 206, 304):
            assert answer.headers["etag"] == etag, context
        head = client.head(url, headers={**PLAIN, **headers})
        head_status = 200 if status in (206, 400, 416) else status  # HEAD never takes a Range
        assert head.status_code == head_status and head.content == b"", (*context, "HEAD")
        if head_status == 200:
            assert head.headers["content-length"] == str(len(body)), context


def test_a_rebuild_changes_the_validators(own_data_dir) -> None:
    client = TestClient(create_app(Settings(data_dir=own_data_dir, reload_interval=0)))
    first = client.get("/api/catalogue", headers=PLAIN)
    other = TestClient(create_app(Settings(data_dir=own_data_dir, reload_interval=0)))
    assert other.get("/api/catalogue", headers=PLAIN).headers["etag"] == first.headers["etag"]
    time.sleep(1.1)  # Last-Modified counts whole seconds
    with sqlite3.connect(own_data_dir / "levelup.db") as db:  # a copy: the build is rewritten
        db.execute("UPDATE meta SET value = '2031-01-01T00:00:00+00:00' WHERE key = 'built_at'")
    again = client.get("/api/catalogue", headers={**PLAIN, "If-None-Match": first.headers["etag"]})
    assert again.status_code == 200 and again.json()["built_at"] == "2031-01-01T00:00:00+00:00"
    assert again.headers["etag"] != first.headers["etag"]
    assert parsedate_to_datetime(again.headers["last-modified"]) > parsedate_to_datetime(
        first.headers["last-modified"]
    )
    since = client.get(
        "/api/catalogue", headers={**PLAIN, "If-Modified-Since": first.headers["last-modified"]}
    )
    assert since.status_code == 200


def test_gzip_is_made_once_per_build_not_per_request(client: TestClient, monkeypatch) -> None:
    url = "/api/indicators/claimant-count/data.csv?level=lad&_=fresh"
    calls = []
    real = gzip.compress
    monkeypatch.setattr(gzip, "compress", lambda *a, **k: calls.append(1) or real(*a, **k))
    for _ in range(3):
        assert client.get(url, headers={"Accept-Encoding": "gzip"}).status_code == 200
    assert client.get(url.replace("fresh", "other"), headers=PLAIN).status_code == 200
    assert calls == [1]  # the cache-buster `_` names the same body


def test_an_unknown_path_is_a_404_with_the_same_cors_header(client: TestClient) -> None:
    known = client.get("/api/indicators/nope")
    for url in ("/nope", "/tiles/x", "/app/missing.js", "/api/nope"):
        unknown = client.get(url)
        assert unknown.status_code == 404, url
        for field in ("access-control-allow-origin", "access-control-expose-headers"):
            assert unknown.headers.get_list(field) == known.headers.get_list(field), url
    assert "access-control-allow-origin" not in client.get("/").headers  # pages: none

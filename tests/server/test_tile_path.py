"""The tile fast path answers exactly as the whole app does: every request below is sent, as
raw ASGI, to an app with the fast path and to one without it (the oracle), and the status,
every header field in order and the body must be the same, on a first request and on a
repeated one (answered from the kept answers)."""

from __future__ import annotations

import asyncio
import dataclasses
import hashlib
import os
from pathlib import Path
from typing import Any

import pytest
from starlette.applications import Starlette
from starlette.types import Receive, Scope, Send

from levelup.settings import Settings
from server.app import create_app
from server.cors import EXPOSED
from server.tile_path import TileFastPath
from tests.conftest import publish_manifest
from tests.server.conftest import LAD
from tiles.manifest import MANIFEST, read_manifest, tileset_file_name

TILE = f"/tiles/{LAD}/6/31/20.pbf"
EMPTY = f"/tiles/{LAD}/5/0/0.pbf"  # open Pacific: 204
GZIP = [(b"accept-encoding", b"gzip, deflate")]
PLAIN = [(b"accept-encoding", b"identity")]

Answer = tuple[int, list[tuple[bytes, bytes]], bytes]
PASSED_ON = "test.passed_on"


def exchange(
    app: Starlette, method: str, path: str, headers: list[tuple[bytes, bytes]]
) -> tuple[Answer, bool]:
    """The app's answer to one request as sent (status, raw header fields, whole body), and
    whether the fast path passed it on to the rest of the app."""
    scope: dict[str, Any] = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": method,
        "scheme": "http",
        "path": path,
        "raw_path": path.encode(),
        "root_path": "",
        "query_string": b"",
        "headers": [(b"host", b"tiles.example"), *headers],
        "client": ("127.0.0.1", 50000),
        "server": ("127.0.0.1", 8000),
    }
    sent: list[dict[str, Any]] = []

    async def receive() -> dict[str, Any]:
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message: dict[str, Any]) -> None:
        sent.append(message)

    asyncio.run(app(scope, receive, send))
    start, bodies = sent[0], sent[1:]
    assert start["type"] == "http.response.start"
    assert not bodies[-1].get("more_body", False)
    answer = (start["status"], list(start["headers"]), b"".join(m["body"] for m in bodies))
    return answer, PASSED_ON in scope


def _watched(app: Starlette) -> Starlette:
    """`app`, marking in the scope each request its fast path passes on to the rest."""
    app.middleware_stack = app.build_middleware_stack()
    if isinstance(app.middleware_stack, TileFastPath):
        rest = app.middleware_stack.app

        async def passed_on(scope: Scope, receive: Receive, send: Send) -> None:
            scope[PASSED_ON] = True
            await rest(scope, receive, send)

        app.middleware_stack.app = passed_on
    return app


@pytest.fixture(scope="module")
def apps(data_dir: Path) -> tuple[Starlette, Starlette]:
    """An app with the tile fast path and one without it, on the same build."""
    settings = Settings(data_dir=data_dir, cors_origin="https://maps.example")
    fast, oracle = create_app(settings), create_app(settings, tile_fast_path=False)
    assert isinstance(_watched(fast).middleware_stack, TileFastPath)
    assert not isinstance(_watched(oracle).middleware_stack, TileFastPath)
    return fast, oracle


def _etag(app: Starlette, path: str, headers: list[tuple[bytes, bytes]]) -> bytes:
    (_, fields, _), _ = exchange(app, "GET", path, headers)
    return dict(fields)[b"etag"]


def _requests(oracle: Starlette) -> list[tuple[str, str, list[tuple[bytes, bytes]], bool]]:
    """(method, path, header fields, whether the fast path answers it)."""
    gzip_tag, plain_tag = _etag(oracle, TILE, GZIP), _etag(oracle, TILE, PLAIN)
    empty_tag = _etag(oracle, EMPTY, GZIP)
    origin = [(b"origin", b"https://elsewhere.example")]
    modified = b"Mon, 30 Nov 2026 07:00:00 GMT"  # tiles have no date: the ETag validates them
    return [
        ("GET", TILE, GZIP, True),
        ("GET", TILE, PLAIN, True),
        ("GET", TILE, [], True),  # no Accept-Encoding: identity
        ("GET", TILE, [(b"accept-encoding", b"gzip;q=0, br")], True),
        ("GET", TILE, [*GZIP, *origin], True),
        ("HEAD", TILE, GZIP, True),
        ("HEAD", TILE, PLAIN, True),
        ("GET", f"/tiles/{LAD}/06/031/020.pbf", GZIP, True),  # the same tile, written oddly
        ("GET", f"/tiles/{LAD}/0/0/0.pbf", GZIP, True),
        ("GET", "/tiles/context/3/3/2.pbf", GZIP, True),
        ("GET", EMPTY, GZIP, True),
        ("HEAD", EMPTY, PLAIN, True),
        ("GET", EMPTY, [(b"if-none-match", empty_tag)], True),
        ("GET", EMPTY, [(b"if-match", b'"nope"')], True),  # 412, as for any representation
        ("GET", TILE, [*GZIP, (b"if-none-match", gzip_tag)], True),
        ("GET", TILE, [*PLAIN, (b"if-none-match", gzip_tag)], True),  # the other copy's tag
        ("HEAD", TILE, [*GZIP, (b"if-none-match", gzip_tag)], True),
        ("GET", TILE, [*GZIP, (b"if-none-match", b'"not-this-one"')], True),
        ("GET", TILE, [*GZIP, (b"if-modified-since", modified)], True),
        ("GET", TILE, [*GZIP, (b"if-match", b'"not-this-one"')], True),  # 412
        ("GET", TILE, [(b"range", b"bytes=0-9")], True),
        ("GET", TILE, [*GZIP, (b"range", b"bytes=0-9, 20-29")], True),  # multipart
        ("GET", TILE, [(b"range", b"bytes=100000-")], True),  # 416
        ("GET", TILE, [(b"range", b"bytes=9-0")], True),  # 400
        ("GET", TILE, [*PLAIN, (b"range", b"bytes=0-3"), (b"if-range", plain_tag)], True),
        ("GET", f"/tiles/{LAD}/abc/0/0.pbf", GZIP, True),  # 400: not a number
        ("GET", f"/tiles/{LAD}/3/8/0.pbf", GZIP, True),  # 400: x beyond 2^z-1
        ("GET", f"/tiles/{LAD}/30/0/0.pbf", GZIP, True),  # 400: z beyond the maximum
        ("GET", f"/tiles/{LAD}/99999999999/0/0.pbf", GZIP, True),
        ("GET", f"/tiles/{LAD}/12/2020/1300.pbf", GZIP, True),  # 404: beyond the zoom range
        ("HEAD", f"/tiles/{LAD}/12/2020/1300.pbf", GZIP, True),
        ("GET", "/tiles/no-such-tileset/0/0/0.pbf", GZIP, True),  # 404: unknown tileset
        ("GET", "/tiles/../0/0/0.pbf", GZIP, True),
        # not for the fast path: the whole app answers these
        ("OPTIONS", TILE, [*origin, (b"access-control-request-method", b"GET")], False),
        ("OPTIONS", TILE, [*origin, (b"access-control-request-method", b"DELETE")], False),
        ("POST", TILE, GZIP, False),  # 405
        ("DELETE", TILE, GZIP, False),
        ("GET", f"/tiles/{LAD}.json", GZIP, False),
        ("GET", f"/tiles/{LAD}/6/31/20.png", GZIP, False),
        ("GET", f"/tiles/{LAD}/6/31/20.pbf/more", GZIP, False),
        ("GET", f"/tiles/{LAD}/6/31.pbf", GZIP, False),
        ("GET", f"/tiles/{LAD}//31/20.pbf", GZIP, False),
        ("GET", "/tiles/", GZIP, False),
        ("GET", "/tiles", GZIP, False),
        ("GET", "/api/levels", GZIP, False),
    ]


def test_the_fast_path_answers_as_the_whole_app(apps: tuple[Starlette, Starlette]) -> None:
    fast, oracle = apps
    requests = _requests(oracle)
    for method, path, headers, quick in requests:
        expected, _ = exchange(oracle, method, path, headers)
        for attempt in ("first", "again"):
            got, passed_on = exchange(fast, method, path, headers)
            context = (method, path, headers, attempt)
            assert passed_on is not quick, context  # the fast path took exactly these
            assert got[0] == expected[0], context
            assert got[1] == expected[1], context  # every field, in order
            assert got[2] == expected[2], context
    statuses = {exchange(oracle, m, p, h)[0][0] for m, p, h, _ in requests}
    assert statuses >= {200, 204, 206, 304, 400, 404, 405, 412, 416}  # every kind was compared


def test_the_fast_path_ends_with_the_cors_fields(apps: tuple[Starlette, Starlette]) -> None:
    fast, _ = apps
    for path in (TILE, EMPTY, "/tiles/nope/0/0/0.pbf", f"/tiles/{LAD}/x/0/0.pbf"):
        (_, fields, _), passed_on = exchange(fast, "GET", path, GZIP)
        assert not passed_on
        names = [name for name, _ in fields]
        status = exchange(fast, "GET", path, GZIP)[0][0]
        assert names[-2:] == [b"access-control-allow-origin", b"access-control-expose-headers"]
        assert dict(fields)[b"access-control-allow-origin"] == b"https://maps.example"
        # a tile's answer exposes its ETag alone; errors end as every route's JSON does
        exposed = b"ETag" if status < 400 else EXPOSED
        assert dict(fields)[b"access-control-expose-headers"] == exposed, path
        assert len(set(names)) == len(names), path  # no field twice


def _rebuild_tileset(data_dir: Path, tileset_id: str) -> None:
    """What a rebuild that changes one tileset does: its file under a new content hash, and
    the manifest switched over to it (with a later time, so servers load the new build)."""
    entries = read_manifest(data_dir / "tiles" / MANIFEST)
    old = entries[tileset_id]
    digest = hashlib.sha256(old.hash.encode()).hexdigest()
    renamed = tileset_file_name(tileset_id, digest)
    os.link(data_dir / "tiles" / old.file, data_dir / "tiles" / renamed)
    entries[tileset_id] = dataclasses.replace(old, hash=digest, file=renamed)
    publish_manifest(data_dir, entries)


def test_a_kept_answer_is_dropped_with_its_build(own_data_dir: Path) -> None:
    """After a rebuild, a tile answered before is answered as a fresh server answers it."""
    settings = Settings(data_dir=own_data_dir, reload_interval=0)
    fast = create_app(settings)
    before, _ = exchange(fast, "GET", TILE, GZIP)
    assert exchange(fast, "GET", TILE, GZIP)[0] == before  # kept
    _rebuild_tileset(own_data_dir, LAD)
    after, _ = exchange(fast, "GET", TILE, GZIP)
    fresh, _ = exchange(create_app(settings, tile_fast_path=False), "GET", TILE, GZIP)
    assert after == fresh
    assert dict(after[1])[b"etag"] != dict(before[1])[b"etag"]  # the new build's validator

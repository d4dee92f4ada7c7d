"""The tile endpoint: a lean ASGI handler (no body buffering, no per-request recompression).

GET /tiles/{tileset}/{z}/{x}/{y}.pbf answers gzip bytes as stored when the client accepts
gzip (decompressed otherwise), with a strong ETag per copy, Cache-Control, Vary and
Access-Control-Allow-Origin; conditional and range requests are answered by the book
(server.conditional). 204 for an empty tile inside the zoom range; 404 outside it (so clients
overzoom) and for unknown tilesets; 400 for malformed coordinates, errors as the same JSON (and
CORS fields) as every other route. Answers to requests without conditions are kept for the
next one (server.tile_answers).

A tile's answer carries only the fields its readers use: every field costs the server time on
each of thousands of requests a map makes. The ETag is its only validator (no Last-Modified:
a date adds nothing to a strong tag); ranges are served but not advertised (no Accept-Ranges:
nobody asks for part of a tile); only the ETag is exposed to scripts on other origins
(MapLibre reads it to skip re-parsing an unchanged tile when it refreshes an expired one).
"""

from __future__ import annotations

import functools
import gzip

from starlette.types import Message, Receive, Scope, Send

from levelup.errors import LevelupError
from levelup.settings import Settings
from server.catalog import Catalog, DataStore, Tileset
from server.conditional import (
    CONDITIONS,
    Representation,
    accepts_gzip,
    plan,
    preconditions,
    wants_gzip,
)
from server.cors import cors_fields
from server.errors import LOG, error_response, status_of
from server.responses import header_list, payload, request_fields
from server.tile_answers import Prepared, TileAnswers
from tiles.tilemath import MAX_ZOOM, Tile

MVT = "application/vnd.mapbox-vector-tile"
HEAD_BODY: Message = {"type": "http.response.body", "body": b""}


def _number(text: str) -> int | None:
    return int(text) if text.isascii() and text.isdigit() and len(text) <= 9 else None


@functools.lru_cache(maxsize=256)
def _accepts_gzip(accept_encoding: bytes) -> bool:
    return accepts_gzip(accept_encoding.decode("latin-1"))


def _etag(tileset: Tileset, image: int | None, gzipped: bool = False) -> str:
    """A tile copy's strong entity tag (`image` None: the empty tile's)."""
    if image is None:
        return f'"{tileset.digest[:16]}-empty"'
    return f'"{tileset.digest[:16]}-{image}-{"g" if gzipped else "i"}"'


def _plain_gzip(scope: Scope) -> bool | None:
    """Whether a request without conditions or ranges takes the gzip copy (None for a request
    with them)."""
    accept = b""
    for name, value in scope["headers"]:
        if name == b"accept-encoding":
            accept = value
        elif name in CONDITIONS:
            return None
    return _accepts_gzip(accept)


class TileEndpoint:
    """ASGI endpoint for tiles: mounted as a Starlette Route, and reached directly by the tile
    fast path (server.tile_path), so it answers every outcome itself, CORS fields included."""

    def __init__(self, store: DataStore, settings: Settings, *, keep: bool = True) -> None:
        """`keep=False`: make every answer afresh (no kept answers, server.tile_answers)."""
        self.store = store
        cache = f"public, max-age={settings.tile_max_age}".encode()
        self.cors = cors_fields(settings.cors_origin.encode())  # errors: as server.cors ends them
        # tile answers: the origin, and only the ETag exposed (see the module's docstring)
        self.allow = [self.cors[0], (b"access-control-expose-headers", b"ETag")]
        self.common = [(b"cache-control", cache), (b"vary", b"accept-encoding")]
        fields = (("cache-control", cache.decode()), ("vary", "accept-encoding"))
        self.plain = fields
        self.gzipped = (*fields, ("content-encoding", "gzip"))
        self.whole = [(b"content-type", MVT.encode())]
        self.plain_fields = [(k.encode(), v.encode()) for k, v in self.plain]
        self.gzip_fields = [(k.encode(), v.encode()) for k, v in self.gzipped]
        self.answers = TileAnswers(settings.tile_cache_tiles if keep else 0)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Answer one tile request."""
        try:
            await self._handle(scope, send, self.store.current())
        except LevelupError as exc:
            await self._error(send, status_of(exc), str(exc))
        except Exception:  # a bug must still answer JSON, never a broken connection
            LOG.exception("tile request failed: %s", scope.get("path"))
            await self._error(send, 500, "internal error; it has been logged")

    def kept(self, scope: Scope) -> Prepared | None:
        """The answer kept for this request, if one was answered just now like it (for the
        fast path, which asks before matching the path: only tile paths have answers)."""
        try:
            gzipped = _plain_gzip(scope)
            if gzipped is None:
                return None
            return self.answers.get(self.store.current(), scope["path"], gzipped)
        except Exception:  # answered (and reported) the usual way instead
            return None

    async def _error(self, send: Send, status: int, message: str) -> None:
        body = error_response(status, message).body  # the same bytes as every other route
        await send(
            {
                "type": "http.response.start",
                "status": status,
                "headers": [
                    (b"content-type", b"application/json"),
                    (b"content-length", str(len(body)).encode()),
                    *self.cors,
                ],
            }
        )
        await send({"type": "http.response.body", "body": body})

    async def _handle(self, scope: Scope, send: Send, catalog: Catalog) -> None:
        """Answer a request no kept answer fits (and keep the answer if it may be reused)."""
        gzipped = _plain_gzip(scope)  # None: conditions or a range
        located = await self._locate(send, catalog, scope["path_params"])
        if located is None:
            return
        tileset, tile = located
        found = catalog.tile(tileset, tile)
        if gzipped is None:
            await self._planned(send, scope, tileset, found)
            return
        prepared = self._prepared(tileset, found, gzipped)
        if self.answers.limit and not scope.get("root_path"):  # kept by the path alone
            self.answers.put(catalog, scope["path"], gzipped, prepared)
        await send(prepared.start)
        await send(HEAD_BODY if scope["method"] == "HEAD" else prepared.message)

    async def _locate(
        self, send: Send, catalog: Catalog, params: dict[str, str]
    ) -> tuple[Tileset, Tile] | None:
        """The tileset and tile a path names, or None once a 400 or 404 is sent."""
        z, x, y = _number(params["z"]), _number(params["x"]), _number(params["y"])
        if z is None or x is None or y is None:
            texts = (params["z"], params["x"], params["y"])
            problem = (
                "is out of range"
                if all(t.isascii() and t.isdigit() for t in texts)
                else "must be non-negative integers"
            )
            await self._error(send, 400, f"z, x and y {problem}")
            return None
        tile = Tile(z, x, y)
        if z > MAX_ZOOM or not tile.is_valid():
            await self._error(
                send, 400, f"no tile {z}/{x}/{y}: z must be 0..{MAX_ZOOM} and x, y within 0..2^z-1"
            )
            return None
        tileset = catalog.tileset(params["tileset"])
        if not tileset.minzoom <= z <= tileset.maxzoom:
            await self._error(
                send,
                404,
                f"zoom {z} is outside {tileset.minzoom}..{tileset.maxzoom}"
                f" for {tileset.id}; clients should overzoom",
            )
            return None
        return tileset, tile

    def _prepared(
        self, tileset: Tileset, found: tuple[bytes, int] | None, gzipped: bool
    ) -> Prepared:
        """plan()'s answer to a request without conditions, made directly (for speed)."""
        if found is None:  # empty inside the zoom range
            headers = [*self.common, (b"etag", _etag(tileset, None).encode()), *self.allow]
            return Prepared.of(204, headers, b"")
        data, image = found
        if not gzipped:
            data = gzip.decompress(data)
        headers = [
            *self.whole,
            (b"etag", _etag(tileset, image, gzipped).encode()),
            *(self.gzip_fields if gzipped else self.plain_fields),
            (b"content-length", str(len(data)).encode()),
            *self.allow,
        ]
        return Prepared.of(200, headers, data)

    async def _planned(
        self,
        send: Send,
        scope: Scope,
        tileset: Tileset,
        found: tuple[bytes, int] | None,
    ) -> None:
        """Answer a request with conditions or a range, by the book (server.conditional)."""
        method, fields = scope["method"], request_fields(scope)
        if found is None:  # empty inside the zoom range: 204, or 304 to a matching If-None-Match
            rep = Representation(0, "", _etag(tileset, None), None)
            status = preconditions(method, fields, rep) or 204
            if status == 412:
                await self._error(send, 412, "precondition failed: the representation has changed")
                return
            headers = [*self.common, (b"etag", rep.etag.encode()), *self.allow]
            await send({"type": "http.response.start", "status": status, "headers": headers})
            await send({"type": "http.response.body", "body": b""})
            return
        data, image = found
        gzipped = wants_gzip(fields, method)
        if not gzipped:
            data = gzip.decompress(data)
        copy = self.gzipped if gzipped else self.plain
        etag = _etag(tileset, image, gzipped)
        rep = Representation(len(data), MVT, etag, None, copy, advertise_ranges=False)
        decided = plan(method, fields, rep)
        cors = self.allow if decided.status in (200, 206, 304) else self.cors  # errors: JSON
        headers = [*header_list(decided), *cors]
        await send({"type": "http.response.start", "status": decided.status, "headers": headers})
        body = b"" if method == "HEAD" else payload(decided, data)
        await send({"type": "http.response.body", "body": body})

"""The tile endpoint: a lean ASGI handler (no body buffering, no per-request recompression).

GET /tiles/{tileset}/{z}/{x}/{y}.pbf answers gzip bytes as stored when the client accepts
gzip (decompressed otherwise), with a strong ETag per copy, Last-Modified (the build),
Cache-Control and one Access-Control-Allow-Origin; conditional and range requests are
answered like every other body (server.conditional). 204 for an empty tile inside the zoom
range; 404 outside it (so clients overzoom) and for unknown tilesets; 400 for malformed
coordinates.
"""

from __future__ import annotations

import gzip

from starlette.types import Receive, Scope, Send

from levelup.errors import LevelupError
from levelup.settings import Settings
from server.catalog import DataStore
from server.conditional import (
    CONDITIONS,
    Representation,
    accepts_gzip,
    http_date,
    plan,
    preconditions,
    wants_gzip,
)
from server.errors import LOG, error_response, status_of
from server.responses import header_list, payload, request_fields
from tiles.tilemath import MAX_ZOOM, Tile

MVT = "application/vnd.mapbox-vector-tile"


def _number(text: str) -> int | None:
    return int(text) if text.isascii() and text.isdigit() and len(text) <= 9 else None


class TileEndpoint:
    """ASGI endpoint for tiles, mounted as a Starlette Route."""

    def __init__(self, store: DataStore, settings: Settings) -> None:
        self.store = store
        cors = settings.cors_origin.encode()
        cache = f"public, max-age={settings.tile_max_age}".encode()
        self.common = [
            (b"access-control-allow-origin", cors),
            (b"cache-control", cache),
            (b"vary", b"accept-encoding"),
        ]
        self.cors = [(b"access-control-allow-origin", cors)]
        fields = (("cache-control", cache.decode()), ("vary", "accept-encoding"))
        self.plain = fields
        self.gzipped = (*fields, ("content-encoding", "gzip"))
        whole = [*self.cors, (b"content-type", MVT.encode()), (b"accept-ranges", b"bytes")]
        self.whole = whole
        self.plain_fields = [(k.encode(), v.encode()) for k, v in self.plain]
        self.gzip_fields = [(k.encode(), v.encode()) for k, v in self.gzipped]

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Answer one tile request."""
        try:
            await self._handle(scope, send)
        except LevelupError as exc:
            await self._error(send, status_of(exc), str(exc))
        except Exception:  # a bug must still answer JSON, never a broken connection
            LOG.exception("tile request failed: %s", scope.get("path"))
            await self._error(send, 500, "internal error; it has been logged")

    async def _error(self, send: Send, status: int, message: str) -> None:
        body = error_response(status, message).body  # the same bytes as every other route
        await send(
            {
                "type": "http.response.start",
                "status": status,
                "headers": [
                    *self.cors,
                    (b"content-type", b"application/json"),
                    (b"content-length", str(len(body)).encode()),
                ],
            }
        )
        await send({"type": "http.response.body", "body": body})

    async def _handle(self, scope: Scope, send: Send) -> None:
        params = scope["path_params"]
        z, x, y = _number(params["z"]), _number(params["x"]), _number(params["y"])
        if z is None or x is None or y is None:
            texts = (params["z"], params["x"], params["y"])
            problem = (
                "is out of range"
                if all(t.isascii() and t.isdigit() for t in texts)
                else "must be non-negative integers"
            )
            await self._error(send, 400, f"z, x and y {problem}")
            return
        tile = Tile(z, x, y)
        if z > MAX_ZOOM or not tile.is_valid():
            await self._error(
                send, 400, f"no tile {z}/{x}/{y}: z must be 0..{MAX_ZOOM} and x, y within 0..2^z-1"
            )
            return
        catalog = self.store.current()
        tileset = catalog.tileset(params["tileset"])
        if not tileset.minzoom <= z <= tileset.maxzoom:
            await self._error(
                send,
                404,
                f"zoom {z} is outside {tileset.minzoom}..{tileset.maxzoom}"
                f" for {tileset.id}; clients should overzoom",
            )
            return
        found = catalog.tile(tileset, tile)
        method = scope["method"]
        accept, conditional = b"", False
        for key, value in scope["headers"]:
            if key == b"accept-encoding":
                accept = value
            elif key in CONDITIONS:
                conditional = True
        fields = request_fields(scope) if conditional else {}
        if found is None:  # empty inside the zoom range: 204, or 304 to a matching If-None-Match
            rep = Representation(0, "", f'"{tileset.digest[:16]}-empty"', catalog.modified)
            status = 304 if preconditions(method, fields, rep) == 304 else 204
            headers = [*self.common, (b"etag", rep.etag.encode())]
            await send({"type": "http.response.start", "status": status, "headers": headers})
            await send({"type": "http.response.body", "body": b""})
            return
        data, image = found
        gzipped = (
            wants_gzip(fields, method) if conditional else accepts_gzip(accept.decode("latin-1"))
        )
        if not gzipped:
            data = gzip.decompress(data)
        etag = f'"{tileset.digest[:16]}-{image}-{"g" if gzipped else "i"}"'
        if not conditional:  # plan()'s answer to a request without conditions, prepared
            start = {"type": "http.response.start", "status": 200}
            headers = [
                *self.whole,
                (b"etag", etag.encode()),
                (b"last-modified", http_date(catalog.modified).encode()),
                *(self.gzip_fields if gzipped else self.plain_fields),
                (b"content-length", str(len(data)).encode()),
            ]
            await send({**start, "headers": headers})
            await send({"type": "http.response.body", "body": b"" if method == "HEAD" else data})
            return
        rep = Representation(
            len(data),
            MVT,
            etag,
            catalog.modified,
            self.gzipped if gzipped else self.plain,
        )
        decided = plan(method, fields, rep)
        await send(
            {
                "type": "http.response.start",
                "status": decided.status,
                "headers": [*self.cors, *header_list(decided)],
            }
        )
        body = b"" if method == "HEAD" else payload(decided, data)
        await send({"type": "http.response.body", "body": body})

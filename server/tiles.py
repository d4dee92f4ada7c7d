"""The tile endpoint: a lean ASGI handler (no body buffering, no per-request recompression).

GET /tiles/{tileset}/{z}/{x}/{y}.pbf answers gzip bytes as stored when the client accepts
gzip (decompressed otherwise), a strong ETag (304 on If-None-Match), Cache-Control and one
Access-Control-Allow-Origin. 204 for an empty tile inside the zoom range; 404 outside it (so
clients overzoom) and for unknown tilesets; 400 for malformed coordinates.
"""

from __future__ import annotations

import gzip
import json

from starlette.types import Receive, Scope, Send

from levelup.errors import LevelupError
from levelup.settings import Settings
from server.catalog import DataStore
from server.errors import LOG, status_of
from tiles.tilemath import MAX_ZOOM, Tile

MVT = b"application/vnd.mapbox-vector-tile"


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
        body = json.dumps(
            {"error": {"status": status, "message": message}}, separators=(",", ":")
        ).encode()
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
        head = scope["method"] == "HEAD"
        if found is None:
            await send({"type": "http.response.start", "status": 204, "headers": self.common})
            await send({"type": "http.response.body", "body": b""})
            return
        data, image = found
        gzipped = _accepts_gzip(scope)
        etag = f'"{tileset.digest[:16]}-{image}-{"g" if gzipped else "i"}"'.encode()
        if _matches(scope, etag):
            await send(
                {
                    "type": "http.response.start",
                    "status": 304,
                    "headers": [*self.common, (b"etag", etag)],
                }
            )
            await send({"type": "http.response.body", "body": b""})
            return
        if gzipped:
            headers = [
                *self.common,
                (b"content-type", MVT),
                (b"content-encoding", b"gzip"),
                (b"etag", etag),
            ]
        else:
            data = gzip.decompress(data)
            headers = [*self.common, (b"content-type", MVT), (b"etag", etag)]
        headers.append((b"content-length", str(len(data)).encode()))
        await send({"type": "http.response.start", "status": 200, "headers": headers})
        await send({"type": "http.response.body", "body": b"" if head else data})


def _header(scope: Scope, name: bytes) -> bytes:
    for key, value in scope["headers"]:
        if key == name:
            return bytes(value)
    return b""


def _accepts_gzip(scope: Scope) -> bool:
    for part in _header(scope, b"accept-encoding").lower().split(b","):
        coding, _, params = part.strip().partition(b";")
        if coding in (b"gzip", b"*") and params.replace(b" ", b"") not in (b"q=0", b"q=0.0"):
            return True
    return False


def _matches(scope: Scope, etag: bytes) -> bool:
    header = _header(scope, b"if-none-match")
    if not header:
        return False
    return header.strip() == b"*" or etag in [
        t.strip().removeprefix(b"W/") for t in header.split(b",")
    ]

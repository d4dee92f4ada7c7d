"""The ceiling: a bare ASGI app answering every path with a constant 700-byte body, served by
uvicorn with the same loop, parser and logging as `levelup serve --server uvicorn` (run as its
own process).

Usage: python -m bench.bare_app PORT [MBTILES PREFIX]
       python -m bench.bare_app PORT --granian   (the constant app on granian, set up as
                                                  `levelup serve` runs it)

With MBTILES and PREFIX it answers each tile path (PREFIX/z/x/y.pbf) with that tile's stored
bytes and header fields shaped like levelup's (the same eight fields, values of the same
length), held in a dict: the ceiling for exactly the bytes levelup sends, with no work of its
own.
"""

from __future__ import annotations

import sqlite3
import sys
from typing import Any

BODY = b"\x1a" * 700  # about one gzipped district tile
HEADERS = [
    (b"content-type", b"application/vnd.mapbox-vector-tile"),
    (b"content-length", str(len(BODY)).encode()),
]


def tile_fields(size: int) -> list[tuple[bytes, bytes]]:
    """Header fields shaped like a levelup tile answer of `size` bytes."""
    return [
        (b"content-type", b"application/vnd.mapbox-vector-tile"),
        (b"etag", b'"0123456789abcdef-1234-g"'),
        (b"cache-control", b"public, max-age=3600"),
        (b"vary", b"accept-encoding"),
        (b"content-encoding", b"gzip"),
        (b"content-length", str(size).encode()),
        (b"access-control-allow-origin", b"*"),
        (b"access-control-expose-headers", b"ETag"),
    ]


def replaying(mbtiles: str, prefix: str) -> Any:
    """An ASGI app answering each tile path with its stored bytes (404 for any other path)."""
    rows = sqlite3.connect(mbtiles).execute(
        "SELECT zoom_level, tile_column, tile_row, tile_data FROM tiles"
    )
    answers = {}
    for z, x, row, data in rows:
        body = bytes(data)
        start = {"type": "http.response.start", "status": 200, "headers": tile_fields(len(body))}
        path = f"{prefix}/{z}/{x}/{(1 << z) - 1 - row}.pbf"
        answers[path] = (start, {"type": "http.response.body", "body": body})
    missing = (
        {"type": "http.response.start", "status": 404, "headers": [(b"content-length", b"0")]},
        {"type": "http.response.body", "body": b""},
    )

    async def app(scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            return
        start, body = answers.get(scope["path"], missing)
        await send(start)
        await send(body)

    return app


def answering(headers: list[tuple[bytes, bytes]], body: bytes) -> Any:
    """An ASGI app giving every request the same 200 answer."""
    start = {"type": "http.response.start", "status": 200, "headers": headers}
    message = {"type": "http.response.body", "body": body}

    async def app(scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            return
        await send(start)
        await send(message)

    return app


def constant() -> Any:
    """Factory of the constant app (granian imports its app by name)."""
    return answering(HEADERS, BODY)


def main() -> None:
    """Serve the constant (or replaying) app on 127.0.0.1:PORT until stopped."""
    port = int(sys.argv[1])
    if sys.argv[2:] == ["--granian"]:
        from server.launch import run_granian

        run_granian("bench.bare_app:constant", address="127.0.0.1", port=port)
        return
    import uvicorn

    app = replaying(sys.argv[2], sys.argv[3]) if len(sys.argv) > 3 else constant()
    uvicorn.run(
        app,
        host="127.0.0.1",
        port=port,
        access_log=False,
        log_level="warning",
        loop="uvloop",
        http="httptools",
        lifespan="off",
    )


if __name__ == "__main__":
    main()

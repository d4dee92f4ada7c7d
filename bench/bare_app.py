"""The ceiling: a bare ASGI app answering every path with a constant 700-byte body, served by
uvicorn with the same loop, parser and logging as `levelup serve` (run as its own process).

Usage: python -m bench.bare_app PORT [BODY_BYTES]

With BODY_BYTES it answers like a levelup tile instead (the same ten header fields, values of
the same length, a body of that size): the ceiling for exactly the bytes levelup sends.
"""

from __future__ import annotations

import sys
from typing import Any

BODY = b"\x1a" * 700  # about one gzipped district tile
HEADERS = [
    (b"content-type", b"application/vnd.mapbox-vector-tile"),
    (b"content-length", str(len(BODY)).encode()),
]


EXPOSED = (
    b"ETag, Last-Modified, Content-Range, Accept-Ranges, Content-Disposition, Content-Encoding"
)


def like_a_tile(size: int) -> tuple[list[tuple[bytes, bytes]], bytes]:
    """The header fields and a body of `size` bytes, shaped like a levelup tile answer."""
    return [
        (b"content-type", b"application/vnd.mapbox-vector-tile"),
        (b"accept-ranges", b"bytes"),
        (b"etag", b'"0123456789abcdef-1234-g"'),
        (b"last-modified", b"Mon, 30 Nov 2026 07:00:00 GMT"),
        (b"cache-control", b"public, max-age=3600"),
        (b"vary", b"accept-encoding"),
        (b"content-encoding", b"gzip"),
        (b"content-length", str(size).encode()),
        (b"access-control-allow-origin", b"*"),
        (b"access-control-expose-headers", EXPOSED),
    ], b"\x1a" * size


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


def main() -> None:
    """Serve the constant app on 127.0.0.1:PORT until stopped."""
    import uvicorn

    shape = like_a_tile(int(sys.argv[2])) if len(sys.argv) > 2 else (HEADERS, BODY)
    app = answering(*shape)
    uvicorn.run(
        app,
        host="127.0.0.1",
        port=int(sys.argv[1]),
        access_log=False,
        log_level="warning",
        loop="uvloop",
        http="httptools",
        lifespan="off",
    )


if __name__ == "__main__":
    main()

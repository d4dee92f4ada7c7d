"""The ceiling: a bare ASGI app answering every path with a constant 700-byte body, served by
uvicorn with the same loop, parser and logging as `levelup serve` (run as its own process).

Usage: python -m bench.bare_app PORT
"""

from __future__ import annotations

import sys
from typing import Any

BODY = b"\x1a" * 700  # about one gzipped district tile
HEADERS = [
    (b"content-type", b"application/vnd.mapbox-vector-tile"),
    (b"content-length", str(len(BODY)).encode()),
]


async def app(scope: dict[str, Any], receive: Any, send: Any) -> None:
    """Every request gets the same 200 body."""
    if scope["type"] != "http":
        return
    await send({"type": "http.response.start", "status": 200, "headers": HEADERS})
    await send({"type": "http.response.body", "body": BODY})


def main() -> None:
    """Serve the constant app on 127.0.0.1:PORT until stopped."""
    import uvicorn

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

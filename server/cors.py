"""Cross-origin reads of the data routes: which requests are shared, and the middleware."""

from __future__ import annotations

from starlette.types import ASGIApp, Message, Receive, Scope, Send

DATA_PREFIXES = ("/api/", "/tiles/", "/styles/", "/downloads/", "/openapi.json", "/healthz")
PRIVATE_PREFIXES = ("/api/uploads",)  # same-origin only: the page's own upload form
# (POST and DELETE on /api/indexes are never shared either: only GET and HEAD are)


def _shared(scope: Scope) -> bool:
    """Whether other origins may read this: data GETs yes; uploads and deletions never."""
    if not scope["path"].startswith(DATA_PREFIXES) or scope["path"].startswith(PRIVATE_PREFIXES):
        return False
    if scope["method"] == "OPTIONS":
        headers = dict(scope.get("headers", []))
        return headers.get(b"access-control-request-method", b"GET") in (b"GET", b"HEAD")
    return bool(scope["method"] in ("GET", "HEAD"))


EXPOSED = (
    b"ETag, Last-Modified, Content-Range, Accept-Ranges, Content-Disposition, Content-Encoding"
)


def cors_fields(origin: bytes) -> list[tuple[bytes, bytes]]:
    """The fields DataCors ends a shared answer with (endpoints that skip it send these)."""
    return [(b"access-control-allow-origin", origin), (b"access-control-expose-headers", EXPOSED)]


class DataCors:
    """Pure ASGI middleware: one Access-Control-Allow-Origin on data routes, and preflights.

    It never buffers bodies; it adds the fields to the response start, so endpoints need not
    set them. Pages on other origins may read the validators and ranges
    (Access-Control-Expose-Headers). An endpoint that sets Access-Control-Allow-Origin itself
    keeps its own CORS fields (the tile endpoint, which the tile fast path reaches without
    this middleware, and whose answers expose nothing). A 404 for a path that is no route at
    all carries the same fields as any other 404.
    """

    def __init__(self, app: ASGIApp, origin: str) -> None:
        self.app = app
        self.origin = origin.encode()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Add the CORS header to data responses; answer preflights."""
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        shared = _shared(scope)
        if not shared and scope["method"] not in ("GET", "HEAD"):
            await self.app(scope, receive, send)
            return
        if shared and scope["method"] == "OPTIONS":
            await send(
                {
                    "type": "http.response.start",
                    "status": 204,
                    "headers": [
                        (b"access-control-allow-origin", self.origin),
                        (b"access-control-allow-methods", b"GET, HEAD, OPTIONS"),
                        (b"access-control-allow-headers", b"*"),
                        (b"access-control-max-age", b"86400"),
                    ],
                }
            )
            await send({"type": "http.response.body", "body": b""})
            return

        async def with_cors(message: Message) -> None:
            if message["type"] == "http.response.start" and (shared or message["status"] == 404):
                headers = list(message.get("headers", []))
                if not any(k.lower() == b"access-control-allow-origin" for k, _ in headers):
                    message = {**message, "headers": [*headers, *cors_fields(self.origin)]}
            await send(message)

        await self.app(scope, receive, with_cors)

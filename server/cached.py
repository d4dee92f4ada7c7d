"""Build-bound bodies: a GET endpoint's answer made once per build and URL, kept with its gzip
copy, and answered by the book (ETag, Last-Modified, Cache-Control, 304, ranges).

Endpoints stay plain functions returning a response; `Cached` wraps them in the route list.
A body is keyed by the build it came from (each build has its own cache, dropped with it)
and by the URL it answers (base URL, path and query, cache-busting `_…` parameters left
out), so every worker answers the same URL of the same build with the same bytes and ETag.
Errors are raised as before and never kept.
"""

from __future__ import annotations

import os
from collections.abc import Awaitable, Callable
from pathlib import Path
from urllib.parse import urlencode

from starlette.requests import Request
from starlette.responses import Response, StreamingResponse

from levelup.settings import Settings
from server.catalog import DataStore
from server.responses import Body, answer, make_body

Endpoint = Callable[[Request], Awaitable[Response]]
KEPT_FIELDS = ("content-disposition",)


def cache_control(settings: Settings) -> str:
    """Cache-Control of build-bound bodies: revalidate every time (cheap with the ETag), unless
    LEVELUP_API_MAX_AGE allows a few seconds of reuse; a new build shows at once by default."""
    age = settings.api_max_age
    return f"public, max-age={age}" if age else "public, no-cache"


def cache_key(request: Request) -> str:
    """What a body depends on: base URL, path and query (without `_…` cache busters)."""
    query = urlencode([(k, v) for k, v in request.query_params.multi_items() if k[:1] != "_"])
    base = f"{request.url.scheme}://{request.headers.get('host', '')}"
    return f"{base}{request.scope.get('root_path', '')}{request.url.path}?{query}"


class _Uncached(Exception):
    """An endpoint answered with something other than a 200 body: sent as it is."""

    def __init__(self, response: Response) -> None:
        super().__init__(response.status_code)
        self.response = response


def _stamp(path: Path) -> int:
    try:
        return os.stat(path).st_mtime_ns
    except OSError:
        return 0


async def _collect(response: Response) -> bytes:
    if isinstance(response, StreamingResponse):
        parts = [
            c if isinstance(c, bytes) else str(c).encode() async for c in response.body_iterator
        ]
        return b"".join(parts)
    return bytes(response.body)


class Cached:
    """Wraps GET endpoints so their bodies are made once per build and answered by the book."""

    def __init__(self, store: DataStore, settings: Settings) -> None:
        self.store = store
        self.control = cache_control(settings)

    def __call__(
        self,
        endpoint: Endpoint,
        *,
        keep: bool = True,
        control: str = "",
        watch: tuple[Path, ...] = (),
    ) -> Endpoint:
        """The wrapped endpoint. `keep=False` makes the body for every request (health);
        `watch` names files outside the build the body also depends on (the user's groups)."""
        cache_header = ("cache-control", control or self.control)

        async def wrapped(request: Request) -> Response:
            catalog = self.store.current()
            stamps = [_stamp(path) for path in watch]
            modified = max([catalog.modified, *(s // 1_000_000_000 for s in stamps)])

            async def make() -> Body:
                response = await endpoint(request)
                if response.status_code != 200:
                    raise _Uncached(response)
                kept = [(k, response.headers[k]) for k in KEPT_FIELDS if k in response.headers]
                return await make_body(
                    await _collect(response),
                    response.headers.get("content-type", "application/octet-stream"),
                    last_modified=modified,
                    headers=[cache_header, *kept],
                )

            try:
                key = cache_key(request) + "".join(f"#{s}" for s in stamps)
                body = await catalog.responses.get_or_make(key, make) if keep else await make()
            except _Uncached as uncached:
                return uncached.response
            return answer(request, body)

        wrapped.__doc__ = endpoint.__doc__
        wrapped.__name__ = getattr(endpoint, "__name__", "endpoint")
        return wrapped

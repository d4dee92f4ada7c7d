"""The web map: index page, our JavaScript modules and the vendored MapLibre GL JS build.

Everything is same-origin (works with no internet) and the page carries a strict
Content-Security-Policy: scripts, styles, workers and data only from this server.
"""

from __future__ import annotations

from pathlib import Path

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Mount, Route
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from server.errors import error_response
from server.files import WebFiles

WEB_DIR = Path(__file__).resolve().parents[1] / "web"
MAPLIBRE = Path("node_modules") / "maplibre-gl" / "dist"
FONT = Path("node_modules") / "@fontsource" / "noto-sans"  # map labels and the page (OFL)

CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data: blob:; "
    "worker-src 'self'; child-src 'self'; connect-src 'self'; font-src 'self'; "
    "object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
)
PAGE_HEADERS = [
    (b"content-security-policy", CSP.encode()),
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"no-referrer"),
    (b"x-frame-options", b"DENY"),
    (b"permissions-policy", b"geolocation=(), camera=(), microphone=()"),
]


class PageHeaders:
    """Pure ASGI middleware adding security headers to the web page and its assets."""

    def __init__(self, app: ASGIApp, prefixes: tuple[str, ...]) -> None:
        self.app = app
        self.prefixes = prefixes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Add the page headers to responses under the web prefixes."""
        path = scope.get("path", "") if scope["type"] == "http" else ""
        if not (path == "/" or path.startswith(self.prefixes)):
            await self.app(scope, receive, send)
            return

        async def with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                message = {**message, "headers": [*message.get("headers", []), *PAGE_HEADERS]}
            await send(message)

        await self.app(scope, receive, with_headers)


def web_routes(web_dir: Path = WEB_DIR) -> list[BaseRoute]:
    """Routes for the page, its modules and MapLibre (a clear 503 if npm was not run)."""
    vendor = web_dir / MAPLIBRE
    files = WebFiles()  # every file answered by the book, like the data (server.conditional)

    async def index(request: Request) -> Response:
        if not vendor.is_dir():
            return error_response(
                503,
                f"the web client needs MapLibre GL JS in {vendor}: "
                "run `make run` (it runs `npm ci` in web/)",
            )
        return await files.answer(request, web_dir / "index.html")

    async def favicon(request: Request) -> Response:
        return await files.answer(request, web_dir / "favicon.svg")

    routes: list[BaseRoute] = [
        Route("/", index),
        Route("/favicon.svg", favicon),
        Route("/favicon.ico", favicon),
        Mount("/app", app=files.folder(web_dir / "app"), name="app"),
    ]
    if vendor.is_dir():
        routes.append(Mount("/vendor/maplibre-gl", app=files.folder(vendor), name="maplibre"))
    if (web_dir / FONT).is_dir():
        routes.append(Mount("/vendor/noto-sans", app=files.folder(web_dir / FONT), name="font"))
    return routes


WEB_PREFIXES = ("/app/", "/vendor/", "/favicon", "/areas/")

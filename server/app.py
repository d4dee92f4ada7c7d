"""create_app(settings): the Starlette application, its routes as a plain list."""

from __future__ import annotations

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Route
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from levelup.settings import Settings
from server.analysis import Analysis
from server.api import Api
from server.cached import Cached
from server.catalog import DataStore
from server.downloads import Downloads
from server.errors import HANDLERS
from server.extracts import Extracts
from server.hexmaps import HexMaps
from server.index_uploads import IndexUploads
from server.indexes import Indexes
from server.openapi import document
from server.profile_routes import Profiles
from server.similar import Similar
from server.tiles import TileEndpoint
from server.uploads import Uploads
from server.web import WEB_PREFIXES, PageHeaders, web_routes

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


class DataCors:
    """Pure ASGI middleware: one Access-Control-Allow-Origin on data routes, and preflights.

    It never buffers bodies; it sets the header on the response start, replacing any the
    endpoint set, so endpoints need not set it themselves. Pages on other origins may read
    the validators and ranges (Access-Control-Expose-Headers). A 404 for a path that is no
    route at all carries the same header as any other 404.
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
                headers = [
                    (k, v)
                    for k, v in message.get("headers", [])
                    if k.lower()
                    not in (b"access-control-allow-origin", b"access-control-expose-headers")
                ]
                headers.append((b"access-control-allow-origin", self.origin))
                headers.append((b"access-control-expose-headers", EXPOSED))
                message = {**message, "headers": headers}
            await send(message)

        await self.app(scope, receive, with_cors)


def routes(store: DataStore, settings: Settings) -> list[BaseRoute]:
    """Every route of the service; GET bodies are made once per build (server.cached)."""
    api = Api(store, settings)
    extracts = Extracts(store, settings)
    downloads = Downloads(store, settings)
    analysis = Analysis(store, settings)
    uploads = Uploads(store, settings)
    indexes = Indexes(store, settings)
    index_uploads = IndexUploads(store, settings)
    similar = Similar(store)
    cached = Cached(store, settings)
    groups = (settings.data_dir / "user" / "groups.json",)  # the user's groups: outside builds
    hexmaps = HexMaps(store)
    profiles = Profiles(store)

    async def openapi(request: Request) -> Response:
        return JSONResponse(document())

    return [
        Route(
            "/tiles/{tileset}/{z}/{x}/{y}.pbf",
            TileEndpoint(store, settings),
            methods=["GET", "HEAD"],
        ),
        Route("/tiles/{tileset}.json", cached(api.tilejson)),
        Route("/styles/{tileset}.json", cached(api.style)),
        Route("/downloads/{tileset}.mbtiles", downloads.mbtiles),
        Route("/downloads/{tileset}.pmtiles", downloads.pmtiles),
        Route("/downloads/{tileset}.gpkg", cached(downloads.gpkg)),
        Route("/downloads/{tileset}.qlr", cached(downloads.qlr)),
        Route("/api/catalogue", cached(api.catalogue)),
        Route("/api/indicators", cached(api.indicators)),
        Route("/api/indicators/{indicator}", cached(api.indicator)),
        Route("/api/indicators/{indicator}", uploads.remove_indicator, methods=["DELETE"]),
        Route("/api/uploads", uploads.create, methods=["POST"]),
        Route("/api/uploads/{upload}", uploads.discard, methods=["DELETE"]),
        Route("/api/uploads/{upload}/preview", uploads.preview, methods=["POST"]),
        Route("/api/uploads/{upload}/build", uploads.build, methods=["POST"]),
        Route("/api/indicators/{indicator}/data.geojson", cached(extracts.geojson)),
        Route("/api/indicators/{indicator}/data.csv", cached(extracts.csv)),
        Route("/api/indicators/{indicator}/hexes.geojson", cached(hexmaps.geojson)),
        Route("/api/indicators/{indicator}/data.hexjson", cached(hexmaps.hexjson)),
        Route("/api/hexmaps", cached(hexmaps.listing)),
        Route("/api/levels", cached(api.levels)),
        Route("/api/tilesets", cached(api.tilesets)),
        Route("/api/tilesets/{tileset}", cached(api.tileset)),
        Route("/api/indicators/{indicator}/compare", cached(analysis.compare, watch=groups)),
        Route("/api/indicators/{indicator}/areas", cached(api.indicator_areas)),
        Route("/api/inequality", cached(analysis.inequality)),
        Route("/api/inequality.csv", cached(analysis.inequality_csv)),
        Route("/api/groups", cached(analysis.groups, watch=groups)),
        Route("/api/indexes", cached(indexes.listing)),
        Route("/api/indexes", index_uploads.create, methods=["POST"]),
        Route("/api/indexes/{index}", cached(indexes.one)),
        Route("/api/indexes/{index}", index_uploads.remove, methods=["DELETE"]),
        Route("/api/indexes/{index}/definition.toml", cached(indexes.definition)),
        Route("/api/indexes/{index}/areas/{code}", cached(indexes.area)),
        Route("/api/indexes/{index}/compare", cached(indexes.compare, watch=groups)),
        Route("/api/similar", cached(similar.sets)),
        Route("/api/similar/{code}", cached(similar.area)),
        Route("/api/clusters", cached(similar.clusters)),
        Route("/api/areas", cached(api.search)),
        Route("/api/areas/{code}", cached(api.area)),
        Route("/api/profiles/{code}", cached(profiles.data)),
        Route("/areas/{code}", cached(profiles.page)),
        Route("/healthz", cached(api.health, keep=False, control="no-store")),
        Route("/openapi.json", cached(openapi)),
        *web_routes(),
    ]


def create_app(settings: Settings | None = None) -> Starlette:
    """Build the application for one data directory (checked now: a bad build fails here)."""
    settings = settings or Settings()
    store = DataStore(
        settings.data_dir,
        reload_interval=settings.reload_interval,
        cache_tiles=settings.tile_cache_tiles,
    )
    app = Starlette(routes=routes(store, settings), exception_handlers=HANDLERS)
    app.add_middleware(DataCors, origin=settings.cors_origin)
    app.add_middleware(PageHeaders, prefixes=WEB_PREFIXES)
    app.state.store = store
    app.state.settings = settings
    return app

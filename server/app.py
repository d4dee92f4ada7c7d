"""create_app(settings): the Starlette application, its routes as a plain list."""

from __future__ import annotations

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Route
from starlette.types import ASGIApp

from levelup.settings import Settings
from server.analysis import Analysis
from server.api import Api
from server.cached import Cached
from server.catalog import DataStore
from server.cors import DataCors
from server.downloads import Downloads
from server.errors import HANDLERS
from server.extracts import Extracts
from server.hexmaps import HexMaps
from server.index_uploads import IndexUploads
from server.indexes import Indexes
from server.openapi import document
from server.profile_routes import Profiles
from server.similar import Similar
from server.tile_path import TileFastPath
from server.tiles import TileEndpoint
from server.uploads import Uploads
from server.web import WEB_PREFIXES, PageHeaders, web_routes


class LevelupApp(Starlette):
    """The Starlette app, with the tile fast path (server.tile_path) outside its middleware
    when `tile_route` is given."""

    tile_route: Route | None = None

    def build_middleware_stack(self) -> ASGIApp:
        """Starlette's stack, wrapped by the tile fast path."""
        stack = super().build_middleware_stack()
        return stack if self.tile_route is None else TileFastPath(stack, self.tile_route)


def routes(store: DataStore, settings: Settings, *, fast_tiles: bool = True) -> list[BaseRoute]:
    """Every route of the service; GET bodies are made once per build (server.cached), tile
    answers kept for the next request like them (unless `fast_tiles` is off)."""
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
            TileEndpoint(store, settings, keep=fast_tiles),
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


def create_app(settings: Settings | None = None, *, tile_fast_path: bool = True) -> Starlette:
    """Build the application for one data directory (checked now: a bad build fails here).
    `tile_fast_path=False` sends tiles through the whole stack, each answer made afresh (the
    fast path's oracle)."""
    settings = settings or Settings()
    store = DataStore(
        settings.data_dir,
        reload_interval=settings.reload_interval,
        cache_tiles=settings.tile_cache_tiles,
    )
    listed = routes(store, settings, fast_tiles=tile_fast_path)
    app = LevelupApp(routes=listed, exception_handlers=HANDLERS)
    first = listed[0]  # the tile route comes first: nothing else could answer its paths
    if tile_fast_path and isinstance(first, Route) and isinstance(first.endpoint, TileEndpoint):
        app.tile_route = first
    app.add_middleware(DataCors, origin=settings.cors_origin)
    app.add_middleware(PageHeaders, prefixes=WEB_PREFIXES)
    app.state.store = store
    app.state.settings = settings
    return app

"""Downloads of a tileset: the MBTiles file as built, or a PMTiles archive made from it."""

from __future__ import annotations

import io
from collections import OrderedDict

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import FileResponse, Response

from levelup.settings import Settings
from server.catalog import DataStore
from server.ranges import ranged
from tiles.store.pmtiles import write_pmtiles


class Downloads:
    """Download endpoints. PMTiles are converted in memory (the server never writes files)."""

    def __init__(self, store: DataStore, settings: Settings, keep: int = 8) -> None:
        self.store = store
        self.settings = settings
        self._archives: OrderedDict[str, bytes] = OrderedDict()
        self._keep = keep

    async def mbtiles(self, request: Request) -> Response:
        """The standalone MBTiles file of a tileset (QGIS and GDAL open it directly)."""
        tileset = self.store.current().tileset(request.path_params["tileset"])
        return FileResponse(
            tileset.path,
            media_type="application/vnd.sqlite3",
            filename=f"{tileset.id}.mbtiles",
            headers={"Access-Control-Allow-Origin": self.settings.cors_origin},
        )

    async def pmtiles(self, request: Request) -> Response:
        """The tileset as a PMTiles v3 archive (supports Range requests)."""
        tileset = self.store.current().tileset(request.path_params["tileset"])
        key = f"{tileset.id}:{tileset.digest}"
        data = self._archives.get(key)
        if data is None:
            buffer = io.BytesIO()
            await run_in_threadpool(write_pmtiles, tileset.path, buffer)
            data = self._archives[key] = buffer.getvalue()
            if len(self._archives) > self._keep:
                self._archives.popitem(last=False)
        return ranged(
            request,
            data,
            "application/vnd.pmtiles",
            {
                "Access-Control-Allow-Origin": self.settings.cors_origin,
                "Content-Disposition": f'attachment; filename="{tileset.id}.pmtiles"',
                "ETag": f'"{tileset.digest[:16]}-pmtiles"',
            },
        )

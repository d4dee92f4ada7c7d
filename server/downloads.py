"""Downloads of a tileset: the MBTiles file as built, or a PMTiles archive made from it."""

from __future__ import annotations

import io

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import FileResponse, Response

from server.bodies import BodyCache
from server.catalog import DataStore
from server.ranges import ranged
from tiles.store.pmtiles import write_pmtiles


class Downloads:
    """Download endpoints. PMTiles are converted in memory (the server never writes files)."""

    def __init__(self, store: DataStore) -> None:
        self.store = store
        self._archives = BodyCache(budget=256 << 20, largest=128 << 20)  # keyed by content

    async def mbtiles(self, request: Request) -> Response:
        """The standalone MBTiles file of a tileset (QGIS and GDAL open it directly)."""
        tileset = self.store.current().tileset(request.path_params["tileset"])
        return FileResponse(
            tileset.path,
            media_type="application/vnd.sqlite3",
            filename=f"{tileset.id}.mbtiles",
        )

    async def pmtiles(self, request: Request) -> Response:
        """The tileset as a PMTiles v3 archive (supports Range requests)."""
        tileset = self.store.current().tileset(request.path_params["tileset"])

        async def convert() -> bytes:
            buffer = io.BytesIO()
            await run_in_threadpool(write_pmtiles, tileset.path, buffer)
            return buffer.getvalue()

        data = await self._archives.get_or_make(f"{tileset.id}:{tileset.digest}", convert)
        return ranged(
            request,
            data,
            "application/vnd.pmtiles",
            {
                "Content-Disposition": f'attachment; filename="{tileset.id}.pmtiles"',
                "ETag": f'"{tileset.digest[:16]}-pmtiles"',
            },
        )

"""Downloads of a tileset: the MBTiles file as built, or a PMTiles archive made from it.

Both answer conditional and range requests the same way (server.conditional): a resumed
download names the copy it has with If-Range and gets the rest of that copy or, if the
tileset was rebuilt meanwhile, the whole new one.
"""

from __future__ import annotations

import io
import os

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response

from levelup.settings import Settings
from server.bodies import BodyCache
from server.cached import cache_control
from server.catalog import DataStore
from server.responses import Body, FileAnswer, answer, make_body
from tiles.store.pmtiles import write_pmtiles


class Downloads:
    """Download endpoints. PMTiles are converted in memory (the server never writes files)."""

    def __init__(self, store: DataStore, settings: Settings) -> None:
        self.store = store
        self.control = ("cache-control", cache_control(settings))
        self._archives: BodyCache[Body] = BodyCache(budget=256 << 20, largest=128 << 20)

    async def mbtiles(self, request: Request) -> Response:
        """The standalone MBTiles file of a tileset (QGIS and GDAL open it directly)."""
        tileset = self.store.current().tileset(request.path_params["tileset"])
        disposition = f'attachment; filename="{tileset.id}.mbtiles"'
        return FileAnswer(
            tileset.path,
            "application/vnd.sqlite3",
            f"{tileset.digest[:16]}-mbtiles",
            [self.control, ("content-disposition", disposition)],
        )

    async def pmtiles(self, request: Request) -> Response:
        """The tileset as a PMTiles v3 archive (made once per tileset content)."""
        tileset = self.store.current().tileset(request.path_params["tileset"])

        async def convert() -> Body:
            buffer = io.BytesIO()
            await run_in_threadpool(write_pmtiles, tileset.path, buffer)
            disposition = f'attachment; filename="{tileset.id}.pmtiles"'
            return await make_body(
                buffer.getvalue(),
                "application/vnd.pmtiles",
                last_modified=int(os.stat(tileset.path).st_mtime),
                headers=[self.control, ("content-disposition", disposition)],
                compress=False,  # its tiles are gzip already
            )

        body = await self._archives.get_or_make(f"{tileset.id}:{tileset.digest}", convert)
        return answer(request, body)

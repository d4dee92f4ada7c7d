"""Downloads of a tileset: the MBTiles file as built, or a PMTiles archive made from it."""

from __future__ import annotations

import io
from collections import OrderedDict

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import FileResponse, Response

from levelup.settings import Settings
from server.catalog import DataStore
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
        return _ranged(request, data, f"{tileset.id}.pmtiles", self.settings.cors_origin)


def _ranged(request: Request, data: bytes, filename: str, origin: str) -> Response:
    headers = {
        "Accept-Ranges": "bytes",
        "Access-Control-Allow-Origin": origin,
        "Content-Disposition": f'attachment; filename="{filename}"',
    }
    header = request.headers.get("range", "")
    if header.startswith("bytes=") and "," not in header:
        first, _, last = header[6:].partition("-")
        try:
            if first:
                start = int(first)
                end = min(int(last), len(data) - 1) if last else len(data) - 1
            else:
                start, end = max(0, len(data) - int(last)), len(data) - 1
        except ValueError:
            start, end = -1, -1
        if 0 <= start <= end < len(data):
            headers["Content-Range"] = f"bytes {start}-{end}/{len(data)}"
            return Response(
                data[start : end + 1],
                status_code=206,
                headers=headers,
                media_type="application/vnd.pmtiles",
            )
        return Response(
            b"", status_code=416, headers={**headers, "Content-Range": f"bytes */{len(data)}"}
        )
    return Response(data, headers=headers, media_type="application/vnd.pmtiles")

"""A static file server for tests of `levelup export`: what a plain static host or nginx does.

Python's own http.server answers no Range requests, which PMTiles needs, so this handler adds
single byte ranges; `gzip_static` mode also answers `/x.pbf` with a stored `/x.pbf.gz` (with
Content-Encoding: gzip) and a missing tile of a known tileset with 204, as the shipped nginx
snippet does.
"""

from __future__ import annotations

import contextlib
import re
import threading
from collections.abc import Iterator
from functools import partial
from http import HTTPStatus
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import ClassVar

RANGE = re.compile(r"^bytes=(\d*)-(\d*)$")


class StaticHandler(SimpleHTTPRequestHandler):
    """GET and HEAD for files, with byte ranges and optional gzip_static behaviour."""

    gzip_static = False
    extensions_map: ClassVar[dict[str, str]] = {
        **SimpleHTTPRequestHandler.extensions_map,
        ".pbf": "application/x-protobuf",
        ".json": "application/json",
        ".pmtiles": "application/vnd.pmtiles",
    }

    def log_message(self, format: str, *args: object) -> None:
        """Quiet in tests."""

    def send_head(self):  # type: ignore[no-untyped-def]
        self.remaining: int | None = None  # set when this method opens the file itself
        path = Path(self.translate_path(self.path))
        encoding = None
        if self.gzip_static and path.suffix == ".pbf":
            if not path.with_name(path.name + ".gz").is_file():
                if not path.parents[2].is_dir():  # no such tileset: 404, as nginx does
                    return super().send_head()
                self.send_response(HTTPStatus.NO_CONTENT)
                self.end_headers()
                return None
            path, encoding = path.with_name(path.name + ".gz"), "gzip"
        if not path.is_file():
            return super().send_head()
        size = path.stat().st_size
        start, end = 0, size - 1
        match = RANGE.match(self.headers.get("Range", ""))
        if match and (match[1] or match[2]):
            if match[1]:
                start, end = int(match[1]), min(int(match[2] or end), end)
            else:
                start = max(0, size - int(match[2]))
            if start > end:
                self.send_response(HTTPStatus.REQUESTED_RANGE_NOT_SATISFIABLE)
                self.send_header("Content-Range", f"bytes */{size}")
                self.end_headers()
                return None
            self.send_response(HTTPStatus.PARTIAL_CONTENT)
            self.send_header("Content-Range", f"bytes {start}-{end}/{size}")
        else:
            self.send_response(HTTPStatus.OK)
        handle = open(path, "rb")  # noqa: SIM115 - closed by copyfile's caller
        handle.seek(start)
        self.send_header("Content-Type", self.guess_type(str(path).removesuffix(".gz")))
        self.send_header("Content-Length", str(end - start + 1))
        self.send_header("Accept-Ranges", "bytes")
        if encoding:
            self.send_header("Content-Encoding", encoding)
        self.end_headers()
        self.remaining = end - start + 1
        return handle

    def copyfile(self, source, outputfile):  # type: ignore[no-untyped-def]
        if self.remaining is None:
            super().copyfile(source, outputfile)
        else:
            outputfile.write(source.read(self.remaining))


@contextlib.contextmanager
def static_server(root: Path, *, gzip_static: bool = False) -> Iterator[str]:
    """Serve `root` on 127.0.0.1; yield its base URL."""
    handler = type("Handler", (StaticHandler,), {"gzip_static": gzip_static})
    server = ThreadingHTTPServer(("127.0.0.1", 0), partial(handler, directory=str(root)))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()

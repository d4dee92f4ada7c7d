"""The web page's own files (index, modules, MapLibre) answered like every other body.

Each version of a file (path, size, modification time) is read once into a Body with its gzip
copy when it is text, and answered by server.conditional: ETag (the content's digest), 304,
ranges. `WebFiles.folder()` is an ASGI app to mount on a folder, like Starlette's StaticFiles.
"""

from __future__ import annotations

import mimetypes
import os
from pathlib import Path
from stat import S_ISREG

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response
from starlette.types import Receive, Scope, Send

from server.bodies import BodyCache
from server.responses import Body, answer, make_body

TEXT = ("text/", "application/json", "application/javascript", "image/svg+xml")


def stat_is_file(stat: os.stat_result) -> bool:
    """Whether a stat result is of a regular file."""
    return S_ISREG(stat.st_mode)


def media_type(path: Path) -> str:
    """Content-Type of a file by its name (text in UTF-8)."""
    kind = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
    return f"{kind}; charset=utf-8" if kind.startswith("text/") else kind


class WebFiles:
    """Files answered by the book, each version read once (bounded memory for all of them)."""

    def __init__(self, cache_control: str = "no-cache") -> None:
        self.cache_control = cache_control
        self.bodies: BodyCache[Body] = BodyCache(budget=64 << 20, largest=16 << 20)

    async def answer(self, request: Request, path: Path) -> Response:
        """Answer a GET or HEAD with one file (404 if it is not a file)."""
        try:
            stat = os.stat(path)
        except (OSError, ValueError):  # missing, a name too long, a NUL in it
            raise HTTPException(404) from None
        if not stat_is_file(stat):
            raise HTTPException(404)
        kind = media_type(path)

        async def read() -> Body:
            return await make_body(
                path.read_bytes(),
                kind,
                last_modified=int(stat.st_mtime),
                headers=[("cache-control", self.cache_control)],
                compress=kind.startswith(TEXT),
            )

        key = f"{path}:{stat.st_size}:{stat.st_mtime_ns}"
        return answer(request, await self.bodies.get_or_make(key, read))

    def folder(self, directory: Path) -> Folder:
        """An ASGI app to mount on `directory`."""
        return Folder(self, directory)


class Folder:
    """ASGI app answering GET and HEAD with the files under one folder (nothing outside it)."""

    def __init__(self, files: WebFiles, directory: Path) -> None:
        self.files = files
        self.root = directory.resolve()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Find the file the mounted path names and answer with it."""
        if scope["method"] not in ("GET", "HEAD"):
            raise HTTPException(405, headers={"Allow": "GET, HEAD"})
        path, mounted = scope["path"], scope.get("root_path", "")  # Mount put us at root_path
        relative = (path[len(mounted) :] if path.startswith(mounted) else path).lstrip("/")
        try:
            target = (self.root / relative).resolve()
        except (OSError, ValueError, RuntimeError):  # a NUL, a loop of links
            raise HTTPException(404) from None
        if not relative or not target.is_relative_to(self.root):
            raise HTTPException(404)
        response = await self.files.answer(Request(scope, receive), target)
        await response(scope, receive, send)

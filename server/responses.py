"""Answers by the book for bodies held in memory (with a gzip copy made once) and for files.

Both go through `conditional.plan`, so a JSON document, an extract, a PMTiles archive in
memory and an MBTiles file on disk answer conditional and range requests alike.
"""

from __future__ import annotations

import functools
import gzip
import hashlib
import os
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import anyio.to_thread
from starlette.requests import Request
from starlette.responses import Response
from starlette.types import Receive, Scope, Send

from server.conditional import Plan, Representation, plan, wants_gzip
from server.errors import error_response

GZIP_FROM = 1024  # smaller bodies gain little and cost a header
GZIP_LEVEL = 6
THREAD_FROM = 256 << 10  # compress or hash bigger bodies off the event loop
CHUNK = 256 << 10
VARY = ("vary", "accept-encoding")


@dataclass(frozen=True, slots=True)
class Body:
    """A finished body with its gzip copy (if that is smaller), validators and header fields."""

    identity: bytes
    gzipped: bytes | None
    media_type: str
    digest: str  # of the identity bytes; names both copies
    last_modified: int | None
    headers: tuple[tuple[str, str], ...] = ()

    def __len__(self) -> int:
        """Bytes held (both copies), for bounded caches."""
        return len(self.identity) + len(self.gzipped or b"")

    def select(self, fields: dict[str, str], method: str) -> tuple[bytes, Representation]:
        """The copy the client accepts and its representation (each copy has its own ETag)."""
        extra = (VARY,) if self.gzipped is not None else ()
        if self.gzipped is not None and wants_gzip(fields, method):
            return self.gzipped, Representation(
                len(self.gzipped),
                self.media_type,
                f'"{self.digest}-gz"',
                self.last_modified,
                (*self.headers, ("content-encoding", "gzip"), *extra),
            )
        rep = Representation(
            len(self.identity),
            self.media_type,
            f'"{self.digest}"',
            self.last_modified,
            (*self.headers, *extra),
        )
        return self.identity, rep


def _digest(data: bytes) -> str:
    return hashlib.blake2b(data, digest_size=12).hexdigest()


def _gzip(data: bytes) -> bytes | None:
    packed = gzip.compress(data, GZIP_LEVEL, mtime=0)  # no timestamp: the same on every worker
    return packed if len(packed) < len(data) * 0.9 else None


def _finish(data: bytes, compress: bool) -> tuple[str, bytes | None]:
    return _digest(data), _gzip(data) if compress and len(data) >= GZIP_FROM else None


async def make_body(
    data: bytes,
    media_type: str,
    *,
    last_modified: int | None,
    headers: Iterable[tuple[str, str]] = (),
    compress: bool = True,
) -> Body:
    """A Body for `data`: hashed, and gzipped once when `compress` (off the loop when big)."""
    fields = tuple(headers)
    work = functools.partial(_finish, data, compress)
    digest, packed = await anyio.to_thread.run_sync(work) if len(data) > THREAD_FROM else work()
    return Body(data, packed, media_type, digest, last_modified, fields)


def request_fields(scope: Scope) -> dict[str, str]:
    """The request's header fields, lower-case names, repeated fields joined with commas."""
    fields: dict[str, str] = {}
    for key, value in scope["headers"]:
        name, text = key.decode("latin-1").lower(), value.decode("latin-1")
        fields[name] = f"{fields[name]}, {text}" if name in fields else text
    return fields


def payload(answer: Plan, data: bytes) -> bytes:
    """The bytes an answer sends, cut from `data`."""
    return b"".join(s if isinstance(s, bytes) else data[s[0] : s[1] + 1] for s in answer.segments)


def header_list(answer: Plan) -> list[tuple[bytes, bytes]]:
    """Raw header fields of an answer, Content-Length included where it belongs."""
    fields = [(k.encode("latin-1"), v.encode("latin-1")) for k, v in answer.headers]
    if answer.status != 304:
        fields.append((b"content-length", str(answer.length).encode()))
    return fields


class Planned(Response):
    """A planned answer sent as it is (no header added or changed by Starlette)."""

    def __init__(self, answer: Plan, body: bytes, head: bool) -> None:
        self.status_code = answer.status
        self.body = b"" if head else body
        self.background = None
        self.raw_headers = header_list(answer)


def answer(request: Request, body: Body) -> Response:
    """Answer a GET or HEAD with a Body: the accepted copy, by the book."""
    fields = request_fields(request.scope)
    data, rep = body.select(fields, request.method)
    decided = plan(request.method, fields, rep)
    return Planned(decided, payload(decided, data), request.method == "HEAD")


class FileAnswer(Response):
    """Answer a GET or HEAD with a file, by the book. The file is opened when the answer is
    sent and its validators come from that open file, so a file replaced meanwhile (builds
    rename new files into place) is never spliced with the old one."""

    def __init__(
        self, path: Path, media_type: str, tag: str, headers: Iterable[tuple[str, str]] = ()
    ) -> None:
        self.path, self.content_type, self.tag = path, media_type, tag
        self.extra = tuple(headers)
        self.background = None
        self.raw_headers = []

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Plan from the open file's size and time, then send the planned ranges."""
        try:
            handle = open(self.path, "rb")  # noqa: SIM115 - closed below, after sending
        except FileNotFoundError:
            await error_response(404, "the file is gone; ask again")(scope, receive, send)
            return
        with handle:
            stat = os.fstat(handle.fileno())
            rep = Representation(
                stat.st_size,
                self.content_type,
                f'"{self.tag}-{stat.st_size:x}-{stat.st_mtime_ns:x}"',
                int(stat.st_mtime),
                self.extra,
            )
            decided = plan(scope["method"], request_fields(scope), rep)
            head = scope["method"] == "HEAD"
            start = {"type": "http.response.start", "status": decided.status}
            await send({**start, "headers": header_list(decided)})
            if not head:
                for segment in decided.segments:
                    if isinstance(segment, bytes):
                        await send(
                            {"type": "http.response.body", "body": segment, "more_body": True}
                        )
                        continue
                    position, last = segment
                    while position <= last:
                        size = min(CHUNK, last - position + 1)
                        chunk = await anyio.to_thread.run_sync(
                            os.pread, handle.fileno(), size, position
                        )
                        if not chunk:
                            break
                        position += len(chunk)
                        await send({"type": "http.response.body", "body": chunk, "more_body": True})
            await send({"type": "http.response.body", "body": b"", "more_body": False})

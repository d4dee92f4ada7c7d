"""GET requests answered by our own application in this process (no sockets, no HTTP client).

The static export uses it so every file it writes is exactly what the server would send.
"""

from __future__ import annotations

import asyncio
import json
import threading
from dataclasses import dataclass
from typing import Any

from starlette.types import ASGIApp, Message

from levelup.errors import LevelupError
from levelup.settings import Settings


@dataclass(frozen=True, slots=True)
class Answer:
    """A whole HTTP answer: status, headers (lower-case names) and body."""

    status: int
    headers: dict[str, str]
    body: bytes


async def call_get(
    app: ASGIApp, path: str, query: bytes = b"", host: str = "levelup.invalid"
) -> Answer:
    """GET `path`, exactly as a server would have decoded it, from an ASGI app.

    No HTTP client sits in between to normalise the path or refuse a long URL. An app that
    raises after it has answered (Starlette does, after a 500) still gives that answer.
    """
    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "GET",
        "scheme": "http",
        "path": path,
        "raw_path": path.encode(),
        "query_string": query,
        "root_path": "",
        "headers": [(b"host", host.encode())],
        "client": ("127.0.0.1", 50000),
        "server": (host, 80),
        "state": {},
    }
    sent: list[Message] = []
    done = asyncio.Event()
    requested = False

    async def receive() -> Message:
        nonlocal requested
        if not requested:
            requested = True
            return {"type": "http.request", "body": b"", "more_body": False}
        await done.wait()  # the client stays until the whole answer is in
        return {"type": "http.disconnect"}

    async def send(message: Message) -> None:
        sent.append(message)
        if message["type"] == "http.response.body" and not message.get("more_body"):
            done.set()

    try:
        await app(scope, receive, send)
    except Exception:
        if not sent:
            raise
    start = next(m for m in sent if m["type"] == "http.response.start")
    headers = {k.decode().lower(): v.decode("latin-1") for k, v in start["headers"]}
    body = b"".join(m.get("body", b"") for m in sent if m["type"] == "http.response.body")
    return Answer(start["status"], headers, body)


class InProcessClient:
    """Calls the ASGI application directly and collects whole responses.

    The application runs on an event loop in a thread of its own, so callers that already
    run a loop (a notebook, a browser driver) can use it too.
    """

    def __init__(self, settings: Settings) -> None:
        from server.app import create_app

        self.app = create_app(settings)
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self.loop.run_forever, daemon=True)
        self.thread.start()

    def body(self, path: str, query: str = "") -> bytes:
        """The body of a 200 response (any other status is an error naming the URL)."""
        answer = asyncio.run_coroutine_threadsafe(
            call_get(self.app, path, query.encode()), self.loop
        ).result()
        if answer.status != 200:
            raise LevelupError(
                f"GET {path}?{query} answered {answer.status}: {answer.body[:300]!r}"
            )
        return answer.body

    def text(self, path: str, query: str = "") -> str:
        """A 200 response as text."""
        return self.body(path, query).decode("utf-8")

    def json(self, path: str, query: str = "") -> Any:
        """A 200 response as JSON."""
        return json.loads(self.body(path, query))

    def close(self) -> None:
        """Stop and close the event loop."""
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join()
        self.loop.close()

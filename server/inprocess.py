"""GET requests answered by our own application in this process (no sockets, no HTTP client).

The static export uses it so every file it writes is exactly what the server would send.
"""

from __future__ import annotations

import asyncio
import json
import threading
from typing import Any

from starlette.types import Message

from levelup.errors import LevelupError
from levelup.settings import Settings


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

    async def _get(self, path: str, query: str) -> tuple[int, bytes]:
        scope = {
            "type": "http",
            "asgi": {"version": "3.0"},
            "http_version": "1.1",
            "method": "GET",
            "scheme": "http",
            "path": path,
            "raw_path": path.encode(),
            "query_string": query.encode(),
            "root_path": "",
            "headers": [(b"host", b"levelup.invalid")],
            "client": ("127.0.0.1", 0),
            "server": ("levelup.invalid", 80),
        }
        status = 0
        body = bytearray()
        sent = False

        async def receive() -> Message:
            nonlocal sent
            if not sent:
                sent = True
                return {"type": "http.request", "body": b"", "more_body": False}
            await asyncio.sleep(3600)  # no disconnect: the response is read whole
            return {"type": "http.disconnect"}

        async def send(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            elif message["type"] == "http.response.body":
                body.extend(message.get("body", b""))

        await self.app(scope, receive, send)
        return status, bytes(body)

    def body(self, path: str, query: str = "") -> bytes:
        """The body of a 200 response (any other status is an error naming the URL)."""
        future = asyncio.run_coroutine_threadsafe(self._get(path, query), self.loop)
        status, data = future.result()
        if status != 200:
            raise LevelupError(f"GET {path}?{query} answered {status}: {data[:300]!r}")
        return data

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

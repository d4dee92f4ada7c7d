"""Finished response bodies kept in memory, bounded in bytes, for repeated heavy requests."""

from __future__ import annotations

import asyncio
import threading
from collections import OrderedDict
from collections.abc import Awaitable, Callable, Sized
from typing import Generic, TypeVar

T = TypeVar("T", bound=Sized)  # bytes, or anything whose len() is the bytes it holds


class BodyCache(Generic[T]):
    """Least-recently-used bodies up to `budget` bytes in all; none larger than `largest`."""

    def __init__(self, budget: int = 64 << 20, largest: int = 8 << 20) -> None:
        self.budget, self.largest = budget, largest
        self._bodies: OrderedDict[str, T] = OrderedDict()
        self._size = 0
        self._lock = threading.Lock()
        # bodies being made, per event loop (a future can only be awaited on its own loop)
        self._making: dict[tuple[asyncio.AbstractEventLoop, str], asyncio.Future[T]] = {}

    def get(self, key: str) -> T | None:
        """A kept body, marked as recently used."""
        with self._lock:
            body = self._bodies.get(key)
            if body is not None:
                self._bodies.move_to_end(key)
            return body

    def put(self, key: str, body: T) -> None:
        """Keep a body if it is small enough, dropping the least recently used beyond budget."""
        if len(body) > self.largest:
            return
        with self._lock:
            old = self._bodies.pop(key, None)
            self._size += len(body) - (len(old) if old is not None else 0)
            self._bodies[key] = body
            while self._size > self.budget:
                _, dropped = self._bodies.popitem(last=False)
                self._size -= len(dropped)

    async def get_or_make(self, key: str, make: Callable[[], Awaitable[T]]) -> T:
        """The kept body, or `make()` awaited once however many ask for it at once.

        Requests that arrive while a body is being made wait for that one (a client that
        gives up doesn't cancel it for the others). `make` should yield to the event loop
        now and then so other requests are served meanwhile.
        """
        body = self.get(key)
        if body is not None:
            return body
        slot = (asyncio.get_running_loop(), key)
        making = self._making.get(slot)
        if making is None:
            making = asyncio.ensure_future(self._make(key, make))
            self._making[slot] = making
            making.add_done_callback(lambda done: self._made(slot, done))
        return await asyncio.shield(making)

    def _made(self, slot: tuple[asyncio.AbstractEventLoop, str], done: asyncio.Future[T]) -> None:
        if self._making.get(slot) is done:
            del self._making[slot]
        if not done.cancelled():
            done.exception()  # seen here, so a failure nobody waited for isn't logged as lost

    async def _make(self, key: str, make: Callable[[], Awaitable[T]]) -> T:
        body = await make()
        self.put(key, body)
        return body

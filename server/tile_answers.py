"""Tile answers kept ready to send again: the start message and body of recent tile requests
without conditions, per build, bounded in number and bytes (one set per worker).

A hot tile is then answered without a query, a decompression or building its header fields.
The answers belong to the build they were made from: asked with another build's catalogue,
the set starts empty, so a new build never answers with the old one's bytes or validators.
"""

from __future__ import annotations

from collections import OrderedDict
from dataclasses import dataclass

from starlette.types import Message

# (the path, gzip copy?): only answers of the tile route are kept, and only 200s and 204s, so
# a path with a kept answer is a tile path with valid coordinates
Key = tuple[str, bool]
BUDGET = 64 << 20  # bytes of bodies kept at most, per worker


@dataclass(frozen=True, slots=True)
class Prepared:
    """A finished tile answer: its response start and body messages (never changed once kept)."""

    start: Message
    message: Message

    @property
    def body(self) -> bytes:
        """The body a GET is sent."""
        return bytes(self.message["body"])

    @classmethod
    def of(cls, status: int, headers: list[tuple[bytes, bytes]], body: bytes) -> Prepared:
        """The answer with this status, header fields and body."""
        start = {"type": "http.response.start", "status": status, "headers": headers}
        return cls(start, {"type": "http.response.body", "body": body})


class TileAnswers:
    """The last `limit` tile answers of the current build (least recently used dropped first);
    `limit=0` keeps none."""

    def __init__(self, limit: int, budget: int = BUDGET) -> None:
        self.limit, self.budget = limit, budget
        self._build: object | None = None
        self._answers: OrderedDict[Key, Prepared] = OrderedDict()
        self._size = 0

    def __len__(self) -> int:
        """How many answers are kept."""
        return len(self._answers)

    def get(self, build: object, key: Key) -> Prepared | None:
        """The kept answer to `key` made from `build` (the catalogue object), if any."""
        if build is not self._build:
            self._reset(build)
            return None
        found = self._answers.get(key)
        if found is not None:
            self._answers.move_to_end(key)
        return found

    def put(self, build: object, key: Key, prepared: Prepared) -> None:
        """Keep an answer made from `build`, dropping the least recently used beyond bounds."""
        if not self.limit or len(prepared.body) > self.budget:
            return
        if build is not self._build:
            self._reset(build)
        old = self._answers.pop(key, None)
        self._size += len(prepared.body) - (len(old.body) if old is not None else 0)
        self._answers[key] = prepared
        while len(self._answers) > self.limit or self._size > self.budget:
            _, dropped = self._answers.popitem(last=False)
            self._size -= len(dropped.body)

    def _reset(self, build: object) -> None:
        self._build, self._answers, self._size = build, OrderedDict(), 0

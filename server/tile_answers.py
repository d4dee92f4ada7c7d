"""Tile answers kept ready to send again: the start message and body of recent tile requests
without conditions, per build, bounded in number and bytes (one set per worker).

A hot tile is then answered without a query, a decompression or building its header fields.
The answers belong to the build they were made from: asked with another build's catalogue,
the set starts empty, so a new build never answers with the old one's bytes or validators.
Lookups are one dict probe by path (the fast path's cost is most of a tile's): the oldest
path kept goes first when the set is full, and a hit does not reorder it.
"""

from __future__ import annotations

from dataclasses import dataclass

from starlette.types import Message

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


# per path: [the identity copy's answer, the gzip copy's answer] (indexed by "gzip?")
Pair = list["Prepared | None"]


class TileAnswers:
    """The answers to the last `limit` tile paths of the current build, each path with up to
    two copies (the oldest path kept goes first, never the one being written); `limit=0`
    keeps none. Only answers of the tile route are kept, and only 200s
    and 204s, so a path with a kept answer is a tile path with valid coordinates."""

    def __init__(self, limit: int, budget: int = BUDGET) -> None:
        self.limit, self.budget = limit, budget
        self._build: object | None = None
        self._answers: dict[str, Pair] = {}
        self._size = 0

    def __len__(self) -> int:
        """How many answers are kept (a path's two copies count as two)."""
        return sum((pair[0] is not None) + (pair[1] is not None) for pair in self._answers.values())

    def get(self, build: object, path: str, gzipped: bool) -> Prepared | None:
        """The kept answer for `path` (its gzip copy or not) made from `build` (the catalogue
        object), if any."""
        if build is not self._build:
            self._reset(build)
            return None
        pair = self._answers.get(path)
        return None if pair is None else pair[gzipped]

    def put(self, build: object, path: str, gzipped: bool, prepared: Prepared) -> None:
        """Keep an answer made from `build`, dropping the oldest paths beyond the bounds."""
        size = len(prepared.message["body"])
        if not self.limit or size > self.budget:
            return
        if build is not self._build:
            self._reset(build)
        pair = self._answers.get(path)
        if pair is None:
            pair = self._answers[path] = [None, None]
        old = pair[gzipped]
        self._size += size - (0 if old is None else len(old.message["body"]))
        pair[gzipped] = prepared
        while (len(self._answers) > self.limit or self._size > self.budget) and len(
            self._answers
        ) > 1:
            oldest = next(iter(self._answers))
            if oldest == path:  # the path just written stays: it goes behind the others
                self._answers[path] = self._answers.pop(path)
                continue
            dropped = self._answers.pop(oldest)
            self._size -= sum(len(p.message["body"]) for p in dropped if p is not None)

    def _reset(self, build: object) -> None:
        self._build, self._answers, self._size = build, {}, 0

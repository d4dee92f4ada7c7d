"""The in-memory body cache keeps recent bodies within its byte budget."""

from __future__ import annotations

import asyncio

from server.bodies import BodyCache


def test_least_recently_used_bodies_go_first_and_the_budget_holds() -> None:
    cache = BodyCache(budget=10, largest=6)
    cache.put("a", b"aaaa")
    cache.put("b", b"bbbb")
    assert cache.get("a") == b"aaaa"  # "a" is now the most recently used
    cache.put("c", b"cccc")
    assert (cache.get("a"), cache.get("b"), cache.get("c")) == (b"aaaa", None, b"cccc")
    cache.put("big", b"x" * 7)  # larger than any one body may be: not kept
    assert cache.get("big") is None and cache.get("a") == b"aaaa"
    cache.put("a", b"a")  # replacing a body counts its new size only
    cache.put("d", b"dddddd")
    assert cache.get("a") == b"a" and cache.get("d") == b"dddddd" and cache.get("c") is None


def test_get_or_make_makes_once() -> None:
    cache, made = BodyCache(), []

    def make() -> bytes:
        made.append(1)
        return b"body"

    async def twice() -> list[bytes]:
        return [await cache.get_or_make("k", make), await cache.get_or_make("k", make)]

    assert asyncio.run(twice()) == [b"body", b"body"] and made == [1]

"""The in-memory body cache keeps recent bodies within its byte budget."""

from __future__ import annotations

import asyncio
import threading

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

    async def make() -> bytes:
        made.append(1)
        return b"body"

    async def twice() -> list[bytes]:
        return [await cache.get_or_make("k", make), await cache.get_or_make("k", make)]

    assert asyncio.run(twice()) == [b"body", b"body"] and made == [1]


def test_concurrent_requests_share_one_make_and_a_failure_is_retried() -> None:
    cache, made = BodyCache(), []

    async def make() -> bytes:
        made.append(1)
        await asyncio.sleep(0.05)  # long enough for every request to arrive meanwhile
        if len(made) == 1:
            raise OSError("disk hiccup")
        return b"body"

    async def many() -> list[object]:
        return await asyncio.gather(
            *(cache.get_or_make("k", make) for _ in range(8)), return_exceptions=True
        )

    first = asyncio.run(many())
    assert made == [1] and all(isinstance(r, OSError) for r in first)  # one make, shared
    assert asyncio.run(many()) == [b"body"] * 8 and made == [1, 1]  # not cached: made again
    assert asyncio.run(many()) == [b"body"] * 8 and made == [1, 1]  # now kept


def test_a_waiter_that_gives_up_does_not_cancel_the_make_for_the_others() -> None:
    cache = BodyCache()

    async def make() -> bytes:
        await asyncio.sleep(0.05)
        return b"body"

    async def one_gives_up() -> bytes:
        impatient = asyncio.ensure_future(cache.get_or_make("k", make))
        patient = asyncio.ensure_future(cache.get_or_make("k", make))
        await asyncio.sleep(0.01)
        impatient.cancel()
        return await patient

    assert asyncio.run(one_gives_up()) == b"body" and cache.get("k") == b"body"


def test_two_event_loops_asking_at_once_each_get_the_body() -> None:
    cache, started = BodyCache(), threading.Event()

    async def make() -> bytes:
        started.set()
        await asyncio.sleep(0.1)
        return b"body"

    results: list[bytes] = []
    other = threading.Thread(
        target=lambda: results.append(asyncio.run(cache.get_or_make("k", make)))
    )
    other.start()
    started.wait(5)  # the other loop is making it now; this loop must not await its future
    results.append(asyncio.run(cache.get_or_make("k", make)))
    other.join(5)
    assert results == [b"body", b"body"]

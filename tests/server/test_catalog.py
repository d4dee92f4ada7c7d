"""The data store: a newer build is loaded beside the one being served, never in its way."""

from __future__ import annotations

import threading
import time
from pathlib import Path

import pytest

import server.catalog
from server.catalog import Catalog, DataStore
from tests.conftest import publish_manifest


def _is_fresh(loaded: Catalog, data_dir: Path, served: Catalog) -> None:
    """`loaded` is what a fresh load of `data_dir` gives, and not the `served` build."""
    fresh = Catalog(data_dir)
    assert loaded.modified == fresh.modified > served.modified
    assert loaded.tilesets == fresh.tilesets


def _hold_loads(monkeypatch: pytest.MonkeyPatch, *, first_only: bool = False) -> threading.Event:
    """Catalogs made from now on (or only the next one) wait for the returned event."""
    release = threading.Event()
    held = [0]

    class Held(Catalog):
        def __init__(self, *args: object, **kwargs: object) -> None:
            held[0] += 1
            if held[0] == 1 or not first_only:
                assert release.wait(timeout=30), "the test never let the load finish"
            super().__init__(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(server.catalog, "Catalog", Held)
    return release


def _in_time(call: object, seconds: float = 5.0) -> object:
    """The result of `call()`, which must return within `seconds` (a blocked load fails)."""
    result: list[object] = []
    worker = threading.Thread(target=lambda: result.append(call()), daemon=True)  # type: ignore[operator]
    worker.start()
    worker.join(timeout=seconds)
    assert result, f"still waiting after {seconds} s: a reload held up the answer"
    return result[0]


def test_a_newer_build_loads_beside_the_current_one(
    own_data_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    store = DataStore(own_data_dir, reload_interval=0.01)
    served = store.catalog
    release = _hold_loads(monkeypatch)
    publish_manifest(own_data_dir)
    time.sleep(0.02)
    assert _in_time(store.current) is served  # the load is under way; the old build answers
    assert _in_time(store.current) is served  # and only one load runs
    release.set()
    deadline = time.monotonic() + 30
    while store.current() is served:
        assert time.monotonic() < deadline, "the newer build never arrived"
        time.sleep(0.02)
    newer = store.current()
    _is_fresh(newer, own_data_dir, served)
    time.sleep(0.02)
    assert store.current() is newer  # loaded once: the stamp is the one it was loaded for


def test_an_older_load_never_replaces_a_later_one(
    own_data_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    store = DataStore(own_data_dir, reload_interval=0.01)
    release = _hold_loads(monkeypatch, first_only=True)
    publish_manifest(own_data_dir)
    time.sleep(0.02)
    served = store.current()  # starts loading the build of that moment (held)
    publish_manifest(own_data_dir)  # a later build, which this server wrote and refreshes
    store.refresh()
    refreshed = store.current()
    _is_fresh(refreshed, own_data_dir, served)
    release.set()  # the older load now finishes, after the later one
    assert store._loading is not None
    store._loading.join(timeout=30)
    time.sleep(0.02)
    assert store.current() is refreshed
    _is_fresh(store.current(), own_data_dir, served)


def test_interval_zero_and_refresh_load_before_answering(own_data_dir: Path) -> None:
    for make in (
        lambda: DataStore(own_data_dir, reload_interval=0),
        lambda: DataStore(own_data_dir, reload_interval=3600),
    ):
        store = make()
        served = store.catalog
        publish_manifest(own_data_dir)
        if store.reload_interval:
            store.refresh()  # after this server wrote a build: no waiting for the interval
        _is_fresh(store.current(), own_data_dir, served)
        assert store.current() is store.current()


def test_a_broken_newer_build_keeps_the_current_one(own_data_dir: Path) -> None:
    store = DataStore(own_data_dir, reload_interval=0)
    served = store.catalog
    victim = next(iter(served.tilesets.values())).path
    victim.unlink()  # a hard link of the shared build: the original stays
    victim.write_bytes(b"half a file")
    publish_manifest(own_data_dir)
    assert store.current() is served

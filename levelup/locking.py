"""One writer at a time per data directory (builds, adds and removes take this lock)."""

from __future__ import annotations

import contextlib
import fcntl
import threading
from collections.abc import Iterator
from pathlib import Path

LOCK_NAME = ".lock"
_held: dict[Path, int] = {}
_guard = threading.Lock()


@contextlib.contextmanager
def build_lock(data_dir: Path) -> Iterator[None]:
    """Hold an exclusive lock on DATA_DIR/.lock while writing; waits for writers in other
    processes, and is re-entrant within one process (a build takes it for data and tiles)."""
    data_dir.mkdir(parents=True, exist_ok=True)
    key = data_dir.resolve()
    with _guard:
        depth = _held.get(key, 0)
        _held[key] = depth + 1
    try:
        if depth:
            yield
            return
        with open(key / LOCK_NAME, "w") as handle:
            fcntl.flock(handle, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(handle, fcntl.LOCK_UN)
    finally:
        with _guard:
            _held[key] -= 1
            if not _held[key]:
                del _held[key]

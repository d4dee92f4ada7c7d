"""One writer at a time per data directory (builds, adds and removes take this lock)."""

from __future__ import annotations

import contextlib
import fcntl
import threading
from collections.abc import Iterator
from pathlib import Path

from levelup.errors import BusyError

LOCK_NAME = ".lock"
# directories this thread already holds: the lock is re-entrant. flock locks belong to an
# open file, so threads of one process, each opening the lock file, exclude each other too.
_local = threading.local()


def _held() -> dict[Path, int]:
    if not hasattr(_local, "held"):
        _local.held = {}
    held: dict[Path, int] = _local.held
    return held


@contextlib.contextmanager
def build_lock(data_dir: Path, *, wait: bool = True) -> Iterator[None]:
    """Hold an exclusive lock on DATA_DIR/.lock while writing.

    Waits for writers in other processes and other threads (or raises BusyError at once
    when `wait` is false), and is re-entrant within a thread: a build takes it for the
    data and again for the tiles.
    """
    data_dir.mkdir(parents=True, exist_ok=True)
    key = data_dir.resolve()
    held = _held()
    if held.get(key):
        held[key] += 1
        try:
            yield
        finally:
            held[key] -= 1
        return
    with open(key / LOCK_NAME, "w") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | (0 if wait else fcntl.LOCK_NB))
        except BlockingIOError:
            raise BusyError(
                f"{data_dir} is being written by another build; try again shortly"
            ) from None
        held[key] = 1
        try:
            yield
        finally:
            del held[key]
            fcntl.flock(handle, fcntl.LOCK_UN)


def being_written(data_dir: Path) -> bool:
    """Whether a build (in any process) holds DATA_DIR's lock now: a progress file that says
    "not finished" with no writer is a build that was stopped or crashed, not one running."""
    key = data_dir.resolve()
    if _held().get(key):
        return True
    try:
        handle = open(key / LOCK_NAME, "rb")  # noqa: SIM115 - closed below, lock or not
    except OSError:
        return False  # never built here
    with handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_SH | fcntl.LOCK_NB)
        except BlockingIOError:
            return True
        fcntl.flock(handle, fcntl.LOCK_UN)
        return False

"""Write-then-rename helpers so a crash never leaves a half-written output."""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path


@contextlib.contextmanager
def atomic_path(target: Path) -> Iterator[Path]:
    """Yield a temporary path beside `target`; rename it over `target` only on success."""
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    os.close(fd)
    tmp = Path(name)
    try:
        yield tmp
        with open(tmp, "rb+") as handle:
            os.fsync(handle.fileno())
        os.replace(tmp, target)
    finally:
        if tmp.exists():
            tmp.unlink()


def write_bytes_atomic(target: Path, data: bytes) -> None:
    """Write `data` to `target` atomically."""
    with atomic_path(target) as tmp:
        tmp.write_bytes(data)


def write_text_atomic(target: Path, text: str) -> None:
    """Write UTF-8 `text` to `target` atomically."""
    write_bytes_atomic(target, text.encode("utf-8"))


def sweep_temporaries(folder: Path, name: str = "*") -> int:
    """Delete temporary files a killed writer left beside `folder/name`; return how many.

    Call only while holding the build lock, so no live writer's file is taken. A folder that
    does not exist yet has nothing to sweep.
    """
    swept = 0
    for path in folder.glob(f".{name}.*.tmp*"):  # with SQLite journals beside them
        with contextlib.suppress(FileNotFoundError):
            path.unlink()
            swept += 1
    return swept
